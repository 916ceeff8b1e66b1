"""A dialog keeps the message showing its question, on SQLite and PostgreSQL: recorded with the sent mark of
the outbox row that carried the question, for the state it was sent for; kept while the same question is
asked again, forgotten when the dialog moves on or ends."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from domain.outbox import OutboxMessage
from storage.database.engine import count_statements, session_factory
from storage.queues.outbox_queue import SqlAlchemyOutboxQueue

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


async def _sent(uow_factory, user_id: int, state: str, message_id: int) -> bool:
    """The relay delivered `state`'s question to `user_id` as Telegram message `message_id`."""
    async with uow_factory() as uow:
        question = OutboxMessage(
            user_id, {"text": "?", "dialog": state}, NOW, held_until=NOW + timedelta(minutes=1)
        )
        await uow.outbox.add(question)
        await uow.commit()
    queue = SqlAlchemyOutboxQueue(session_factory(uow_factory.engine))
    return await queue.mark_sent(question.id, uow_factory.worker, NOW, question=(user_id, state, message_id))


async def test_the_message_showing_a_question_is_kept_until_the_dialog_moves_on(uow_factory):
    async with uow_factory() as uow:
        await uow.dialogs.set(5, "checkout.name", {})
        await uow.commit()
    assert await _sent(uow_factory, 5, "checkout.name", 41)
    assert await _sent(uow_factory, 6, "checkout.name", 99)  # no dialog: nothing to remember
    async with uow_factory() as uow:
        assert (await uow.dialogs.message_of(5), await uow.dialogs.message_of(6)) == (41, None)
        await uow.dialogs.set(5, "checkout.name", {"tries": 1})  # the same question again: same message
        assert await uow.dialogs.message_of(5) == 41
        await uow.dialogs.set(5, "checkout.phone", {"name": "Ann"})
        await uow.commit()
    assert await _sent(uow_factory, 5, "checkout.name", 42)  # late news of an earlier question: ignored
    async with uow_factory() as uow:
        assert await uow.dialogs.message_of(5) is None
    assert await _sent(uow_factory, 5, "checkout.phone", 43)
    async with uow_factory() as uow:
        assert await uow.dialogs.get(5) == ("checkout.phone", {"name": "Ann"})
        assert await uow.dialogs.message_of(5) == 43
        await uow.dialogs.clear(5)
        await uow.dialogs.set(5, "checkout.phone", {})
        assert await uow.dialogs.message_of(5) is None


async def test_a_question_whose_row_another_relay_took_over_is_not_recorded(uow_factory):
    async with uow_factory() as uow:
        await uow.dialogs.set(7, "checkout.name", {})
        question = OutboxMessage(7, {"text": "?", "dialog": "checkout.name"}, NOW, held_until=NOW)
        await uow.outbox.add(question)
        await uow.commit()
    queue = SqlAlchemyOutboxQueue(session_factory(uow_factory.engine))
    [taken] = await queue.lease(NOW + timedelta(seconds=1), NOW + timedelta(minutes=1), "other relay")
    assert not await queue.mark_sent(taken.id, uow_factory.worker, NOW, question=(7, "checkout.name", 50))
    async with uow_factory() as uow:
        assert await uow.dialogs.message_of(7) is None


async def test_replies_showing_questions_marked_together_each_record_their_question(uow_factory):
    """Marks sent together share a statement; on PostgreSQL the questions' messages are recorded in it too
    (one round trip, no BEGIN and COMMIT), and each only for its own dialog."""
    async with uow_factory() as uow:
        await uow.dialogs.set(8, "checkout.name", {})
        await uow.dialogs.set(9, "checkout.phone", {})
        questions = [
            OutboxMessage(user, {"text": "?"}, NOW, held_until=NOW + timedelta(minutes=1))
            for user in (8, 9, 10)
        ]
        for question in questions:
            await uow.outbox.add(question)
        await uow.commit()
    queue = SqlAlchemyOutboxQueue(session_factory(uow_factory.engine))
    shown = [(8, "checkout.name", 81), (9, "checkout.phone", 91), (10, "checkout.name", 101)]
    counted: list[int] = []
    stop = count_statements(uow_factory.engine, lambda: counted.append(1))
    try:
        marked = await asyncio.gather(
            *(
                queue.mark_sent(question.id, uow_factory.worker, NOW, question=where)
                for question, where in zip(questions, shown, strict=True)
            )
        )
    finally:
        stop()
    assert marked == [True, True, True]
    async with uow_factory() as uow:
        assert [await uow.dialogs.message_of(user) for user in (8, 9, 10)] == [81, 91, None]
    # marks made at once go together: one statement on PostgreSQL (4 before: each question's dialog
    # updated by a statement of its own, in a transaction with BEGIN and COMMIT)
    if uow_factory.engine.dialect.name == "postgresql":
        assert len(counted) == 1
