"""Signing in to the API: patrons with card and PIN; staff tokens come from the CLI."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from libdesk.api.schemas import RefusalOut
from libdesk.api.tokens import PatronBearer, StaffBearer, issue_patron_token, revoke
from libdesk.core.bounds import CardNumber, Secret
from libdesk.core.ratelimit import check_anonymous_form, client_address
from libdesk.patrons.services import SignInFailed, authenticate_patron

router = Router(tags=["sign-in"])


class PatronSignIn(Schema):
    patron_card: CardNumber
    pin: Secret


class TokenOut(Schema):
    token: str
    expires_at: datetime


class MessageOut(Schema):
    detail: str


@router.post("/patron", response={201: TokenOut, 401: MessageOut, 429: RefusalOut}, auth=None)
def sign_in_patron(request: HttpRequest, body: PatronSignIn):
    """Card number and PIN for a bearer token. Web and API share one lockout channel."""
    check_anonymous_form("patron-sign-in", client_address(request))
    try:
        patron = authenticate_patron(body.patron_card, body.pin)
    except SignInFailed:
        return Status(401, {"detail": "Card number or PIN not recognised."})
    issued = issue_patron_token(patron)
    return Status(201, {"token": issued.bearer, "expires_at": issued.token.expires_at})


@router.delete("/token", response={200: MessageOut}, auth=[StaffBearer(), PatronBearer()])
def revoke_token(request: HttpRequest):
    """Revoke the token this request was made with."""
    revoke(request.api_token)
    return Status(200, {"detail": "Token revoked."})
