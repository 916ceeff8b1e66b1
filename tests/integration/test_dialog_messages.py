"""A dialog keeps the message showing its question, on SQLite and PostgreSQL: recorded for the state it was
sent for, kept while the same question is asked again, forgotten when the dialog moves on or ends."""

from __future__ import annotations


async def test_the_message_showing_a_question_is_kept_until_the_dialog_moves_on(uow_factory):
    async with uow_factory() as uow:
        await uow.dialogs.set(5, "checkout.name", {})
        await uow.dialogs.shown_in(5, "checkout.name", 41)
        await uow.dialogs.shown_in(6, "checkout.name", 99)  # no dialog: nothing to remember
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.dialogs.message_of(5), await uow.dialogs.message_of(6)) == (41, None)
        await uow.dialogs.set(5, "checkout.name", {"tries": 1})  # the same question again: same message
        assert await uow.dialogs.message_of(5) == 41
        await uow.dialogs.set(5, "checkout.phone", {"name": "Ann"})
        assert await uow.dialogs.message_of(5) is None
        await uow.dialogs.shown_in(5, "checkout.name", 42)  # late news of an earlier question: ignored
        assert await uow.dialogs.message_of(5) is None
        await uow.dialogs.shown_in(5, "checkout.phone", 43)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.dialogs.get(5) == ("checkout.phone", {"name": "Ann"})
        assert await uow.dialogs.message_of(5) == 43
        await uow.dialogs.clear(5)
        await uow.dialogs.set(5, "checkout.phone", {})
        assert await uow.dialogs.message_of(5) is None
