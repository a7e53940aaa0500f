"""The audit trail's names for what the people pages change (soket.audit Entry.action)."""

from enum import StrEnum


class Action(StrEnum):
    ADD_PERSON = "add_person"
    GRANT_ROLE = "grant_role"
    TAKE_ROLE = "take_role"
    DEACTIVATE = "deactivate"
    REACTIVATE = "reactivate"
    SEND_PASSWORD_LINK = "send_password_link"
