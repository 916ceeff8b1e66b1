"""Job: staff prompts left unanswered past `PROMPT_TIMEOUT` end, and the card they sat on says so.

A prompt also ends when its staff member's next event comes after the timeout (`prompting.settle_prompt`);
this sweep makes the card say it without waiting for that. Each prompt is ended in its own unit of work,
re-read first, so a staff member answering meanwhile wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.clock import Clock
from domain.ports import UnitOfWorkFactory
from handlers.kernel import outbox
from handlers.kernel.i18n import MERCHANT_LANGUAGE
from handlers.merchant.prompting import PROMPTS, ended_card, stale_prompt, timed_out_text

__all__ = ["EndStalePrompts"]


@dataclass
class EndStalePrompts:
    uow_factory: UnitOfWorkFactory
    clock: Clock
    manual_delivery: bool = True  # no tracking provider: the card shows the delivery buttons

    async def run(self) -> int:
        now = self.clock.now()
        async with self.uow_factory(write=False) as uow:
            open_prompts = await uow.dialogs.in_states(PROMPTS)
        ended = 0
        for user_id, _state, _data in open_prompts:
            async with self.uow_factory() as uow:
                dialog = await uow.dialogs.get(user_id)
                prompt = stale_prompt(*dialog, now) if dialog else None
                if prompt is None:
                    continue
                customer = await uow.customers.get(user_id)
                language = customer.language if customer else MERCHANT_LANGUAGE
                await uow.dialogs.clear(user_id)
                why, manual = timed_out_text(language), self.manual_delivery
                for reply in await ended_card(uow, prompt, why, language, manual_delivery=manual):
                    if reply.chat_id is not None:
                        edit = reply.edit_message_id
                        await outbox.write_reply(uow, reply.chat_id, reply, now, edit_message_id=edit)
                await uow.commit()
                ended += 1
        return ended
