"""The founder moves or cancels a booked call (the dashboard); the relative is told in their own words.

The news is a notice (``wl_notice``, kinds ``call_moved`` / ``call_cancelled``), like the waitlist's other
news: it goes out inside the relative's sending window (or with the bot's next answer to someone we may
not write to first), once: the notice's key is the outbox key. A change not yet told is replaced by the
next one, so the relative only ever hears where the call stands now.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, delete, select

from waitlist.interviews.booking import BookOutcome, book, cancel, free_times
from waitlist.interviews.models import WlInterview
from waitlist.interviews.slots import slot_key
from waitlist.models import WlNotice
from waitlist.settings import WaitlistSettings

__all__ = ["CALL_NOTICES", "MOVE_CHOICES", "cancel_call", "move_call", "move_times"]

CALL_NOTICES = ("call_moved", "call_cancelled")
MOVE_CHOICES = 100  # free times listed to move a call to (three weeks of a full diary)


def move_times(
    session: Session, interview: WlInterview, settings: WaitlistSettings, now: datetime
) -> list[datetime]:
    """Her free times this call may move to, earliest first."""
    return free_times(session, interview, settings, now)[:MOVE_CHOICES]


def move_call(
    session: Session, interview: WlInterview, start: datetime, settings: WaitlistSettings, now: datetime
) -> BookOutcome:
    """Book ``start`` instead (the old time is freed) and tell the relative. "taken" or "gone": the caller
    rolls the transaction back, so the call keeps its time; "booked" also when it already was at ``start``."""
    if interview.status != "booked" or interview.starts_at is None:
        raise ValueError(f"call {interview.id} is not booked (it is {interview.status})")
    known = _untold(session, interview, "call_moved")
    told_at = datetime.fromisoformat(str(known.params["was"])) if known else interview.starts_at
    outcome = book(session, interview, start, settings, now)
    if outcome == "booked" and start != told_at:
        _tell(session, interview, "call_moved", now, start, told_at)
    elif outcome == "booked":
        _forget_untold(session, interview)  # moved back before they heard: nothing to tell
    return outcome


def cancel_call(session: Session, interview: WlInterview, now: datetime) -> bool:
    """Cancel a booked call (its time is freed) and tell the relative; False when it was not booked."""
    if interview.status != "booked":
        return False
    cancel(session, interview, now)
    _tell(session, interview, "call_cancelled", now)
    return True


def _untold(session: Session, interview: WlInterview, kind: str) -> WlNotice | None:
    query = select(WlNotice).where(
        WlNotice.order_id == interview.order_id, WlNotice.kind == kind, col(WlNotice.sent_at).is_(None)
    )
    return session.exec(query).first()


def _forget_untold(session: Session, interview: WlInterview) -> None:
    session.exec(
        delete(WlNotice).where(
            col(WlNotice.order_id) == interview.order_id,
            col(WlNotice.kind).in_(CALL_NOTICES),
            col(WlNotice.sent_at).is_(None),
        )
    )


def _tell(
    session: Session,
    interview: WlInterview,
    kind: str,
    now: datetime,
    call_at: datetime | None = None,
    was: datetime | None = None,
) -> None:
    _forget_untold(session, interview)
    params: dict[str, object] = {}
    if call_at is not None and was is not None:
        # The time in words is made when the notice is sent, in the relative's language then.
        params = {
            "call_at": call_at.isoformat(),
            "call_tz": interview.tz,
            "assumed": interview.tz_assumed,
            "was": was.isoformat(),
        }
    at = slot_key(call_at) if call_at is not None else "-"
    session.add(
        WlNotice(
            # The action's moment makes each change its own message (moved there, back, there again).
            key=f"iv:{interview.id}:{kind}:{at}:{now:%Y%m%dT%H%M%S}",
            peer_id=interview.peer_id,
            order_id=interview.order_id,
            kind=kind,
            params=params,
            created_at=now,
        )
    )
