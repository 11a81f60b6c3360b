"""SQLModel tables and the API's read/create/update schemas, one module per entity."""

from dispatch.models.appointment import Appointment
from dispatch.models.branch import Branch
from dispatch.models.comment import Comment
from dispatch.models.contingent import ContingentLot, ContingentMonth
from dispatch.models.customer import Contact, Contract, Customer, Site
from dispatch.models.escalation import Escalation
from dispatch.models.event import ChangeEvent
from dispatch.models.idempotency import IdempotencyRecord
from dispatch.models.mail import InboundMail, MailAttachment
from dispatch.models.notification import Notification
from dispatch.models.report import ServiceReport
from dispatch.models.ssh_key import SshKey
from dispatch.models.ticket import Ticket
from dispatch.models.time_entry import TimeEntry
from dispatch.models.user import ApiToken, Technician, User

__all__ = [
    "ApiToken",
    "Appointment",
    "Branch",
    "ChangeEvent",
    "Comment",
    "Contact",
    "ContingentLot",
    "ContingentMonth",
    "Contract",
    "Customer",
    "Escalation",
    "IdempotencyRecord",
    "InboundMail",
    "MailAttachment",
    "Notification",
    "ServiceReport",
    "Site",
    "SshKey",
    "Technician",
    "Ticket",
    "TimeEntry",
    "User",
]
