"""The one rule the API adds to the gate (worklists.access): who delivers messages from other systems.

A message (the bank opened the account, the applicant rated the service) moves a case on behalf
of another system. It takes an administrator, or a user holding the Django permission
``engine.deliver_message`` (created by this app's migration): typically an API client user of
the other system, with a token and no department (``manage.py api_token bank --create
--deliver-messages``). Supervisors never do, whatever they hold: they read and change nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from worklists.access import R, role_of

DELIVER_MESSAGE_PERMISSION = "engine.deliver_message"


def can_deliver_messages(user) -> bool:
    role = role_of(user)
    if role == R.ADMIN:
        return True
    return role != R.SUPERVISOR and user.has_perm(DELIVER_MESSAGE_PERMISSION)


def access_message_delivery(user) -> None:
    if not can_deliver_messages(user):
        raise PermissionDenied(
            "只有获授权的系统或管理员可以投递消息。 Only administrators and systems holding the"
            f" '{DELIVER_MESSAGE_PERMISSION}' permission may deliver messages."
        )
