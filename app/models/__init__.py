"""All models, importable from one place (and seen by Alembic's autogenerate)."""

from app.models.address import Address, Street
from app.models.alert import AreaAlert
from app.models.api_key import ApiKey
from app.models.body import Body, ExchangeJob, JobState
from app.models.case_counter import CaseCounter
from app.models.district import District
from app.models.feedback import ResolutionFeedback
from app.models.inquiry import Inquiry
from app.models.login_throttle import LoginThrottle
from app.models.mail import OutboxMail, Subscription
from app.models.map_cell import MapCell, MapMonth, MapMonthStatus
from app.models.organisation import Category, Department, RoutingRule
from app.models.question import CategoryQuestion
from app.models.report import Photo, Redaction, RejectedReport, Report, TimelineEvent
from app.models.report_search import CONTACT_INDEXES, TEXT_INDEXES  # noqa: F401  (registers them)
from app.models.request_key import RequestKey
from app.models.response_template import ResponseTemplate
from app.models.statistics import StatisticsSnapshot
from app.models.status import Channel, EventKind, Status
from app.models.support import Support
from app.models.user import User

__all__ = [
    "Address",
    "ApiKey",
    "AreaAlert",
    "Body",
    "CaseCounter",
    "Category",
    "CategoryQuestion",
    "Channel",
    "Department",
    "District",
    "EventKind",
    "ExchangeJob",
    "Inquiry",
    "JobState",
    "LoginThrottle",
    "MapCell",
    "MapMonth",
    "MapMonthStatus",
    "OutboxMail",
    "Photo",
    "Redaction",
    "RejectedReport",
    "Report",
    "RequestKey",
    "ResolutionFeedback",
    "ResponseTemplate",
    "RoutingRule",
    "StatisticsSnapshot",
    "Status",
    "Street",
    "Subscription",
    "Support",
    "TimelineEvent",
    "User",
]
