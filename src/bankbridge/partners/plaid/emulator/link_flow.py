"""Plaid Link's flow as a small state machine over one Link session (a JSON document).

A Link session starts when the Link page is opened with a link token and moves through
Plaid's views: ``SELECT_INSTITUTION`` (search and pick a bank), ``CREDENTIAL``, ``MFA``
(device then code, questions, or selections, per the Sandbox password), ``SELECT_ACCOUNT``
(the one account the Item will share), then ``CONNECTED``; errors show the ``ERROR`` view
and exiting asks first on the ``EXIT`` view. Update mode (a link token made with an
``access_token``) starts at ``CREDENTIAL`` for the Item's bank and skips account selection.

``advance`` applies one user action and says what happened as Plaid's Link events
(``onEvent`` names and metadata); the page module persists the session, creates the Item
when the flow asks for it (``Step.connect``), and hands the events to the drop-in script.
Nothing here reads or writes storage.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bankbridge.partners.kit.ids import iso_timestamp, opaque_id
from bankbridge.partners.plaid.emulator import sandbox

__all__ = [
    "EVENT_METADATA_KEYS",
    "Step",
    "advance",
    "connected",
    "ended",
    "event",
    "exit_message",
    "exit_status",
    "institution",
    "mfa_of",
    "offered_accounts",
    "start",
    "success_message",
]

Flow = dict[str, Any]

# Views (Plaid's ``view_name`` values), plus the end states of a session.
SELECT_INSTITUTION = "SELECT_INSTITUTION"
CREDENTIAL = "CREDENTIAL"
MFA = "MFA"
SELECT_ACCOUNT = "SELECT_ACCOUNT"
CONNECTED = "CONNECTED"
ERROR = "ERROR"
EXIT = "EXIT"  # the "are you sure?" view
LOADING = "LOADING"
EXITED = "EXITED"  # not a Plaid view: the session ended with onExit

# Every onEvent metadata carries these keys (null when they do not apply), as Link does.
EVENT_METADATA_KEYS = (
    "error_type",
    "error_code",
    "error_message",
    "exit_status",
    "institution_id",
    "institution_name",
    "institution_search_query",
    "mfa_type",
    "view_name",
    "selection",
    "timestamp",
    "link_session_id",
    "request_id",
)
_ERROR_KEYS = ("error_type", "error_code", "error_message", "display_message")


@dataclass
class Step:
    """What one action did: the Link events to report, and what the page must do next.

    ``connect`` asks the page to create the Item (or repair it in update mode) with the
    chosen account and to finish with ``success_message``; ``finished`` means the session
    ended with onExit (``exit_message``).
    """

    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    connect: bool = False
    finished: bool = False

    def emit(self, name: str, **metadata: Any) -> None:
        """Record one Link event with its specific metadata."""
        self.events.append((name, metadata))


def start(
    link_token: Mapping[str, Any], item: Mapping[str, Any] | None, now: datetime
) -> tuple[Flow, Step]:
    """A new Link session for ``link_token`` (``item``: the Item to repair in update mode)."""
    flow: Flow = {
        "link_session_id": str(uuid.uuid4()),
        "link_token": link_token["link_token"],
        "started_at": iso_timestamp(now),
        "finished_at": None,
        "view": SELECT_INSTITUTION,
        "resume_view": None,
        "institution_id": None,
        "institution_name": None,
        "search_query": None,
        "no_results": False,
        "mfa": None,
        "error": None,
        "accounts": [],
        "update_item_id": item["item_id"] if item else None,
        "result": None,
        "exit": None,
    }
    step = Step()
    step.emit("OPEN")
    if item is not None:
        flow["institution_id"] = item["institution_id"]
        flow["institution_name"] = item["institution_name"]
        _show(flow, step, CREDENTIAL)
    else:
        _show(flow, step, SELECT_INSTITUTION)
    return flow, step


def advance(
    flow: Flow, link_token: Mapping[str, Any], action: str, form: Mapping[str, str]
) -> Step:
    """Apply one user action to an unfinished session; unknown actions show the view again.

    A post without an ``action`` (a script filling in the view's fields) does the view's
    own action.
    """
    step = Step()
    action = action or _VIEW_ACTIONS.get(flow["view"], "")
    if action == "exit":
        _exit(flow, step)
    elif action == "exit_prompt":
        if flow["view"] != EXIT:
            flow["resume_view"] = flow["view"]
        _show(flow, step, EXIT)
    elif action == "resume":
        _show(flow, step, flow["resume_view"] or SELECT_INSTITUTION)
    elif action == "retry" and flow["view"] == ERROR:
        flow["mfa"] = None
        _show(flow, step, CREDENTIAL)
    elif flow["view"] == SELECT_INSTITUTION:
        _institution_view(flow, step, link_token, action, form)
    elif flow["view"] == CREDENTIAL and action == "submit_credentials":
        _credentials(flow, step, link_token, form)
    elif flow["view"] == MFA and action == "submit_mfa":
        _mfa(flow, step, link_token, form)
    elif flow["view"] == SELECT_ACCOUNT and action == "select_account":
        _select_account(flow, step, link_token, form)
    return step


def connected(
    flow: Flow, public_token: str, item_id: str, accounts: list[dict[str, Any]], now: datetime
) -> Step:
    """End the session with success: the Item ``item_id`` shares ``accounts``."""
    flow["accounts"] = accounts
    flow["result"] = {"public_token": public_token, "item_id": item_id}
    flow["finished_at"] = iso_timestamp(now)
    step = Step()
    _show(flow, step, CONNECTED)
    step.emit("HANDOFF")
    return step


def ended(flow: Flow, now: datetime) -> None:
    """Stamp the end of an exited session."""
    flow["finished_at"] = iso_timestamp(now)


def offered_accounts(link_token: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The Sandbox accounts Link offers for this link token (its ``account_filters``)."""
    filters = link_token.get("account_filters") or {}
    offered = []
    for account in sandbox.ACCOUNTS:
        wanted = filters.get(account["type"]) if filters else {}
        if filters and not isinstance(wanted, dict):
            continue
        subtypes = (wanted or {}).get("account_subtypes")
        if isinstance(subtypes, list) and not {"all", account["subtype"]} & set(subtypes):
            continue
        offered.append(dict(account))
    return offered


def institution(flow: Mapping[str, Any]) -> dict[str, str] | None:
    """``{name, institution_id}`` of the chosen bank, or None before one is chosen."""
    if not flow.get("institution_id"):
        return None
    return {"name": flow["institution_name"], "institution_id": flow["institution_id"]}


def event(flow: Mapping[str, Any], name: str, request_id: str, **specific: Any) -> dict[str, Any]:
    """A drop-in message for the Link event ``name`` with Link's full metadata."""
    metadata: dict[str, Any] = dict.fromkeys(EVENT_METADATA_KEYS)
    metadata.update(
        institution_id=flow.get("institution_id"),
        institution_name=flow.get("institution_name"),
        link_session_id=flow["link_session_id"],
        request_id=request_id,
    )
    metadata.update({k: v for k, v in specific.items() if k in EVENT_METADATA_KEYS})
    metadata["timestamp"] = iso_timestamp(datetime.now().astimezone(), micros=True)
    return {"type": "event", "event_name": name, "metadata": metadata}


def success_message(
    flow: Mapping[str, Any], public_token: str, accounts: list[Mapping[str, Any]]
) -> dict[str, Any]:
    """The drop-in's onSuccess(public_token, metadata) message."""
    metadata = {
        "institution": institution(flow),
        "accounts": [
            {
                "id": account["account_id"],
                "name": account["name"],
                "mask": account["mask"],
                "type": account["type"],
                "subtype": account["subtype"],
                # Instant Auth after a login: nothing left to verify.
                "verification_status": None,
                "class_type": None,
            }
            for account in accounts
        ],
        "link_session_id": flow["link_session_id"],
        "transfer_status": None,  # only set by Plaid Transfer's UI
    }
    return {"type": "success", "public_token": public_token, "metadata": metadata}


def exit_message(flow: Mapping[str, Any], request_id: str) -> dict[str, Any]:
    """The drop-in's onExit(error, metadata) message for an ended session."""
    exit_record = flow.get("exit") or {}
    return {
        "type": "exit",
        "error": flow.get("error"),
        "metadata": {
            "institution": institution(flow),
            "status": exit_record.get("status"),
            "link_session_id": flow["link_session_id"],
            "request_id": request_id,
        },
    }


def exit_status(flow: Mapping[str, Any]) -> str:
    """Link's ``onExit`` status: where in the flow the user left."""
    view = flow["resume_view"] if flow["view"] == EXIT else flow["view"]
    if view == SELECT_INSTITUTION:
        return "institution_not_found" if flow.get("no_results") else "requires_credentials"
    if view == MFA:
        mfa = flow["mfa"] or {}
        return {
            "device": "choose_device",
            "code": "requires_code",
            "questions": "requires_questions",
            "selections": "requires_selections",
        }.get(mfa.get("step", ""), "requires_credentials")
    if view == SELECT_ACCOUNT:
        return "requires_account_selection"
    return "requires_credentials"


_VIEW_ACTIONS = {
    CREDENTIAL: "submit_credentials",
    MFA: "submit_mfa",
    SELECT_ACCOUNT: "select_account",
    ERROR: "retry",
}


# -- the views' actions ---------------------------------------------------------------------


def _institution_view(
    flow: Flow, step: Step, link_token: Mapping[str, Any], action: str, form: Mapping[str, str]
) -> None:
    if action == "search" and "username" not in form:
        query = form.get("q", "").strip()[:100]
        flow["search_query"] = query
        flow["no_results"] = not sandbox.search_institutions(query)
        step.emit("SEARCH_INSTITUTION", institution_search_query=query)
        return
    institution_id = form.get("institution_id") or (
        sandbox.DEFAULT_INSTITUTION if "username" in form else ""
    )
    if institution_id not in sandbox.LINK_INSTITUTIONS:
        return
    flow["institution_id"] = institution_id
    flow["institution_name"] = sandbox.INSTITUTIONS[institution_id]
    step.emit("SELECT_INSTITUTION")
    _show(flow, step, CREDENTIAL)
    if "username" in form:  # a scripted client posts the bank and the login at once
        _credentials(flow, step, link_token, form)


def _credentials(
    flow: Flow, step: Step, link_token: Mapping[str, Any], form: Mapping[str, str]
) -> None:
    username = form.get("username", "")
    password = form.get("password", "")
    step.emit("SUBMIT_CREDENTIALS")
    _show(flow, step, LOADING)
    failure = sandbox.link_error(username, password)
    if failure is not None:
        _fail(flow, step, failure)
        return
    challenge = sandbox.mfa_challenge(username, password)
    if challenge is not None:
        flow["mfa"] = {
            "kind": challenge.kind,
            "rounds": challenge.rounds,
            "per_round": challenge.per_round,
            "choices": challenge.choices,
            "round": 0,
            "step": "device" if challenge.kind == "device" else challenge.kind,
        }
        _show(flow, step, MFA)
        return
    _logged_in(flow, step, link_token)


def _mfa(flow: Flow, step: Step, link_token: Mapping[str, Any], form: Mapping[str, str]) -> None:
    mfa = flow["mfa"]
    step.emit("SUBMIT_MFA", mfa_type=mfa["step"])
    _show(flow, step, LOADING)
    if mfa["step"] == "device":
        if form.get("device") not in dict(sandbox.MFA_DEVICES):
            _fail(flow, step, sandbox.error_for("INVALID_SEND_METHOD"))
            return
        mfa["step"] = "code"
        _show(flow, step, MFA)
        return
    if mfa["step"] == "code":
        passed = form.get("code", "").strip() == sandbox.MFA_DEVICE_CODE
    else:
        challenge = mfa_of(flow)
        passed = all(
            form.get(f"answer_{index}", "").strip() == challenge.answer(mfa["round"], index)
            for index in range(challenge.per_round)
        )
    if not passed:
        _fail(flow, step, sandbox.error_for("INVALID_MFA"))
        return
    mfa["round"] += 1
    if mfa["step"] != "code" and mfa["round"] < mfa["rounds"]:
        _show(flow, step, MFA)
        return
    _logged_in(flow, step, link_token)


def mfa_of(flow: Mapping[str, Any]) -> sandbox.MfaChallenge:
    """The session's MFA challenge (the flow must be at the MFA view)."""
    mfa = flow["mfa"]
    return sandbox.MfaChallenge(mfa["kind"], mfa["rounds"], mfa["per_round"], mfa["choices"])


def _logged_in(flow: Flow, step: Step, link_token: Mapping[str, Any]) -> None:
    flow["mfa"] = None
    flow["error"] = None
    if flow["update_item_id"]:
        step.connect = True  # update mode: the Item keeps the accounts it shares
        return
    # The Item's accounts get their ids now, as at Plaid: Link lists them by id.
    flow["accounts"] = [
        {**account, "account_id": opaque_id()} for account in offered_accounts(link_token)
    ]
    if not flow["accounts"]:
        _fail(flow, step, sandbox.error_for("NO_ACCOUNTS"))
        return
    _show(flow, step, SELECT_ACCOUNT)


def _select_account(
    flow: Flow, step: Step, link_token: Mapping[str, Any], form: Mapping[str, str]
) -> None:
    chosen = [a for a in flow["accounts"] if a["account_id"] == form.get("account_id")]
    if not chosen:
        return  # nothing picked: the view stays, asking again
    flow["accounts"] = chosen
    step.connect = True


def _fail(flow: Flow, step: Step, failure: tuple[str, str, str, str | None]) -> None:
    error = dict(zip(_ERROR_KEYS, (failure[0], failure[1], failure[2], failure[3]), strict=True))
    flow["error"] = error
    step.emit(
        "ERROR",
        error_type=error["error_type"],
        error_code=error["error_code"],
        error_message=error["error_message"],
    )
    _show(flow, step, ERROR)


def _exit(flow: Flow, step: Step) -> None:
    status = exit_status(flow)
    flow["exit"] = {"status": status}
    error = flow["error"] or {}
    step.emit(
        "EXIT",
        exit_status=status,
        error_type=error.get("error_type"),
        error_code=error.get("error_code"),
        error_message=error.get("error_message"),
    )
    flow["view"] = EXITED
    step.finished = True


def _show(flow: Flow, step: Step, view: str) -> None:
    flow["view"] = view
    mfa_type = (flow["mfa"] or {}).get("step") if view == MFA else None
    step.emit("TRANSITION_VIEW", view_name=view, mfa_type=mfa_type)
