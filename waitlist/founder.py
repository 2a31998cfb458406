"""The founder's operations: list and show orders, set a status, move an order, deliver a clip, open sign-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from waitlist.flags import REOPEN_HINT, SIGNUPS_OPEN, set_flag
from waitlist.models import WlFile, WlInbox, WlOrder, WlOrderEvent, WlStoryPart
from waitlist.notify import NoticeOutlook, notice_outlook
from waitlist.ports import FileStore
from waitlist.queue import Estimate, order_estimate, queue_position, reorder, waiting_orders
from waitlist.settings import WaitlistSettings

__all__ = [
    "STATUSES",
    "OrderNotFound",
    "OrderView",
    "deliver",
    "delivery_outlook",
    "founder_inbox",
    "get_order",
    "keep_files",
    "list_orders",
    "mark_handled",
    "move_order",
    "order_views",
    "set_signups_open",
    "set_status",
]

STATUSES = ("waiting", "in_progress", "delivered", "cancelled", "declined")


class OrderNotFound(LookupError):
    def __init__(self, number: int) -> None:
        super().__init__(f"no order number {number}")
        self.number = number


@dataclass(frozen=True)
class PhotoView:
    file_id: str
    kind: str
    width: int | None
    height: int | None
    sharpness: float | None
    faces: int | None
    poor: bool
    caption: str | None = None  # the words the relative sent with it


@dataclass(frozen=True)
class OrderView:
    number: int
    status: str
    position: int | None
    estimate: Estimate | None
    subject_name: str | None
    relation: str | None
    wishes: tuple[str, ...]
    wish_note: str | None
    contact: str | None
    publish_consent: bool | None
    completed_at: datetime | None
    story: tuple[str, ...] = ()
    files: tuple[PhotoView, ...] = field(default=())
    founder_note: str | None = None


def _order(session: Session, number: int) -> WlOrder:
    order = session.exec(select(WlOrder).where(WlOrder.number == number)).first()
    if order is None:
        raise OrderNotFound(number)
    return order


def _view(
    session: Session, order: WlOrder, settings: WaitlistSettings, now: datetime, full: bool
) -> OrderView:
    position = queue_position(session, order)
    est = order_estimate(session, position, settings=settings, now=now) if position else None
    story: tuple[str, ...] = ()
    files: tuple[PhotoView, ...] = ()
    if full:
        story = tuple(
            p.text
            for p in session.exec(
                select(WlStoryPart).where(WlStoryPart.order_id == order.id).order_by(col(WlStoryPart.id))
            )
        )
        rows = session.exec(select(WlFile).where(WlFile.order_id == order.id).order_by(col(WlFile.id))).all()
        files = tuple(
            PhotoView(r.file_id, r.kind, r.width, r.height, r.sharpness, r.faces, r.poor, r.caption)
            for r in rows
        )
    assert order.number is not None
    return OrderView(
        number=order.number,
        status=order.status,
        position=position,
        estimate=est,
        subject_name=order.subject_name,
        relation=order.relation,
        wishes=tuple(w for w in order.wishes.split(",") if w),
        wish_note=order.wish_note,
        contact=order.contact,
        publish_consent=order.publish_consent,
        completed_at=order.completed_at,
        story=story,
        files=files,
        founder_note=order.founder_note,
    )


def list_orders(
    session: Session, *, settings: WaitlistSettings, now: datetime, status: str | None = None
) -> list[OrderView]:
    """Queue order first (waiting, by position), then the rest by number."""
    if status == "waiting":
        orders = waiting_orders(session)
    else:
        query = select(WlOrder).where(col(WlOrder.number).is_not(None)).order_by(col(WlOrder.number))
        if status is not None:
            query = query.where(WlOrder.status == status)
        orders = list(session.exec(query))
    return order_views(session, orders, settings=settings, now=now)


def order_views(
    session: Session, orders: list[WlOrder], *, settings: WaitlistSettings, now: datetime
) -> list[OrderView]:
    """Rows of a list (no story, no files), as ``list_orders`` shows them."""
    return [_view(session, o, settings, now, full=False) for o in orders]


def get_order(session: Session, number: int, *, settings: WaitlistSettings, now: datetime) -> OrderView:
    return _view(session, _order(session, number), settings, now, full=True)


def set_status(session: Session, number: int, status: str, reason: str | None, *, at: datetime) -> None:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    order = _order(session, number)
    if status == "waiting" and order.status != "waiting":
        # Back to waiting joins at the place it had by completion time, unless moved afterwards.
        order.queue_rank = order.queue_rank if order.queue_rank is not None else at.timestamp()
    order.status, order.status_reason, order.updated_at = status, reason, at
    if status in ("cancelled", "declined"):
        order.cancelled_at = at
    session.add(order)
    session.add(WlOrderEvent(order_id=order.id or 0, kind="status", value=status, reason=reason, at=at))


def move_order(session: Session, number: int, position: int, reason: str, *, at: datetime) -> None:
    """Put a waiting order at ``position`` (1 = next); the others keep their order around it."""
    order = _order(session, number)
    if order.status != "waiting":
        raise ValueError(f"order {number} is {order.status}, only waiting orders can be moved")
    queue = waiting_orders(session)
    reorder(queue, order, position)
    order.updated_at = at
    session.add_all(queue)
    session.add(WlOrderEvent(order_id=order.id or 0, kind="move", value=str(position), reason=reason, at=at))


def deliver(session: Session, number: int, file_path: Path, *, files: FileStore, at: datetime) -> str:
    """Store the finished clip (a path the founder gave, never a user's) and mark the order delivered.

    The relative receives it through ``due_notifications`` (or with their next reply). Returns the file id.
    """
    order = _order(session, number)
    file_id = files.put_file(Path(file_path))
    if (
        session.exec(select(WlFile).where(WlFile.order_id == order.id, WlFile.file_id == file_id)).first()
        is None
    ):
        session.add(
            WlFile(
                order_id=order.id or 0,
                file_id=file_id,
                kind="clip",
                size_bytes=Path(file_path).stat().st_size,
                created_at=at,
            )
        )
    order.clip_file_id, order.status, order.delivered_at, order.updated_at = file_id, "delivered", at, at
    session.add(order)
    session.add(WlOrderEvent(order_id=order.id or 0, kind="status", value="delivered", reason=None, at=at))
    return file_id


def delivery_outlook(
    session: Session, number: int, *, settings: WaitlistSettings, now: datetime
) -> NoticeOutlook:
    """After ``deliver`` and the notice run: when the clip reaches the relative (now, at the next sending
    window, or with the bot's next answer to them)."""
    order = _order(session, number)
    assert order.id is not None
    return notice_outlook(session, order.id, settings=settings, now=now)


def keep_files(session: Session, number: int, keep: bool, *, at: datetime) -> None:
    """Keep (or stop keeping) an order's photos and recordings past the retention time."""
    order = _order(session, number)
    order.keep_files, order.updated_at = keep, at
    session.add(order)
    session.add(WlOrderEvent(order_id=order.id or 0, kind="keep_files", value=str(keep).lower(), at=at))


def set_signups_open(session: Session, is_open: bool, *, at: datetime, reopen_hint: str = "") -> None:
    """Open or close sign-ups; while closed, new writers hear so, with ``reopen_hint`` ("in March")."""
    set_flag(session, SIGNUPS_OPEN, "1" if is_open else "0", at)
    set_flag(session, REOPEN_HINT, "" if is_open else reopen_hint, at)


def founder_inbox(session: Session, *, unhandled_only: bool = True) -> list[WlInbox]:
    query = select(WlInbox).order_by(col(WlInbox.id))
    if unhandled_only:
        query = query.where(col(WlInbox.handled_at).is_(None))
    return list(session.exec(query))


def mark_handled(
    session: Session, at: datetime, *, inbox_id: int | None = None, peer_id: int | None = None
) -> int:
    """Kept messages the founder has dealt with (one by id, or all of a relative's); returns how many."""
    if inbox_id is None and peer_id is None:
        raise ValueError("mark_handled needs inbox_id or peer_id")
    query = select(WlInbox).where(col(WlInbox.handled_at).is_(None))
    if inbox_id is not None:
        query = query.where(WlInbox.id == inbox_id)
    if peer_id is not None:
        query = query.where(WlInbox.peer_id == peer_id)
    rows = list(session.exec(query))
    for row in rows:
        row.handled_at = at
        session.add(row)
    return len(rows)
