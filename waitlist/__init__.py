"""Orders ingested from community messages: intake dialog, queue, consent, files, statuses.

The public surface vkbot wires (see each module for details); nothing here imports vkbot.
"""

from waitlist.alerts import FounderAlert, founder_alerts
from waitlist.consent import mark_publication_handled, pending_publication_events, publishable_orders
from waitlist.effects import Button, Keyboard, Reply
from waitlist.founder import (
    STATUSES,
    OrderNotFound,
    OrderView,
    deliver,
    delivery_outlook,
    founder_inbox,
    get_order,
    keep_files,
    list_orders,
    move_order,
    set_signups_open,
    set_status,
)
from waitlist.inbound import InboundAttachment, InboundButton, InboundMessage
from waitlist.notify import NoticeOutlook, due_notifications
from waitlist.ports import Clock, Downloader, DownloadError, FileStore, MessageTexts
from waitlist.queue import Estimate, estimate, queue_position
from waitlist.retention import ErasureReport, SweepReport, delete_personal_data, sweep
from waitlist.service import (
    conversation_language,
    conversation_protected,
    hand_back,
    handle_message,
    peers_with_orders,
    preload,
    record_founder_message,
    record_message_allow,
)
from waitlist.settings import WaitlistSettings

__all__ = [
    "STATUSES",
    "Button",
    "Clock",
    "DownloadError",
    "Downloader",
    "ErasureReport",
    "Estimate",
    "FileStore",
    "FounderAlert",
    "InboundAttachment",
    "InboundButton",
    "InboundMessage",
    "Keyboard",
    "MessageTexts",
    "NoticeOutlook",
    "OrderNotFound",
    "OrderView",
    "Reply",
    "SweepReport",
    "WaitlistSettings",
    "conversation_language",
    "conversation_protected",
    "delete_personal_data",
    "deliver",
    "delivery_outlook",
    "due_notifications",
    "estimate",
    "founder_alerts",
    "founder_inbox",
    "get_order",
    "hand_back",
    "handle_message",
    "keep_files",
    "list_orders",
    "mark_publication_handled",
    "move_order",
    "peers_with_orders",
    "pending_publication_events",
    "preload",
    "publishable_orders",
    "queue_position",
    "record_founder_message",
    "record_message_allow",
    "set_signups_open",
    "set_status",
    "sweep",
]
