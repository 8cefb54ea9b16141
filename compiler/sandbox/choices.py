"""What the sandbox portal does where the Bitrix24 reference only infers the behaviour.

The reference (`bitrix-rest.md`, `bitrix-format.md`) marks some facts "(inferred)" or leaves
them open. The sandbox has to answer something; this table is the one place that says what,
and why. `docs/sandbox.md` repeats it for users. A live portal may differ on any row: clients
should key on the error *code* (and the description when the code is empty), as the reference
advises.

Platform
========

==========================  ==================================================================
Point                       Sandbox behaviour
==========================  ==================================================================
Unknown access token        401 ``invalid_token`` "The access token provided is invalid."
No credentials, bad or      401 ``NO_AUTH_FOUND`` "Wrong authorization data".
expired webhook
Expired access token        401 ``expired_token`` "The access token provided has expired."
Where the token goes        ``auth`` in the query or the body, or ``Authorization: Bearer``.
Missing scope               403 ``insufficient_scope``. ``basic`` (batch, profile, app.info,
                            scope, server.time, user.admin) is always granted; bizproc.* need
                            ``bizproc``.
Unknown method              404 ``ERROR_METHOD_NOT_FOUND`` "Method not found!", answered after
                            authentication (no credentials: 401 first).
HTTP status of errors       ``ACCESS_DENIED`` is 403 everywhere (Bitrix's AccessException);
                            other method errors 400 (the docs' statuses are inconsistent).
``time`` block              On every /rest/ answer, errors included, with ``operating`` and
                            ``operating_reset_at``; batch sub-results omit those two; the
                            batch itself reports ``operating`` 0 (it is not counted).
Request bodies              JSON object, form-encoded, multipart, plus the query string; the
                            body wins on a clash. Top-level names are upper-cased; ``auth``
                            is removed before the method sees the parameters. A JSON body
                            that is not an object, or not JSON: 400 ``INVALID_REQUEST``.
Body size                   More than 32 MiB (configurable): 413 ``INVALID_REQUEST``
                            "Request body is larger than 32 MiB".
Input limits                PHP drops form pairs after ``max_input_vars`` (a portal runs with
                            at least 10,000) and a name nested deeper than 64 brackets
                            (``max_input_nesting_level``), with a warning only. The sandbox
                            answers 400 ``INVALID_REQUEST`` instead ("More than 10000
                            parameters: …", "Parameter X nests deeper than 64 levels: …"),
                            for the query, a form or multipart body, and a batch command (in
                            its ``result_error``). A JSON parameter nested deeper than 64
                            levels gets the same 400, although Bitrix's JSON reader would take
                            511: no method reads that deep.
Leaky bucket                Keyed by client IP; every /rest/ request counts, authenticated or
                            not; a refused request is not added (a client that backs off
                            recovers); ``/oauth/token/`` is not limited.
Operating time              Measured handler time plus ``Limits.cost_per_call``. A bucket
                            opens at the first call it records and lives 60 s; ten make the
                            window. A call is refused when the total is already *above* the
                            limit. Kept in memory: a restart resets it.
Faults                      Only on /rest/. 500 → ``INTERNAL_SERVER_ERROR``, 503 →
                            ``QUERY_LIMIT_EXCEEDED`` (the documented transient 503), 502/504 →
                            ``ERROR_UNEXPECTED_ANSWER``. ``after_commit`` strikes only
                            successful writes (a batch counts when one command wrote).
Dropped connection          Under uvicorn the socket is aborted without a byte. In-process it
                            raises ``ConnectionDropped``, both an ``httpx.RemoteProtocolError``
                            and a ``ConnectionResetError``.
``expire_tokens_every``     Counts calls made with OAuth tokens (not webhooks) and expires the
                            token for real: later calls with it get ``expired_token`` too.
OAuth server                ``/oauth/token/`` on the portal itself (GET or POST), answering
                            with the fields of Bitrix's OAuth server; ``domain`` is the
                            sandbox's host:port, ``server_endpoint`` and ``client_endpoint``
                            its ``/rest/``. ``invalid_request`` 400, ``invalid_client`` 401
                            (unknown id or wrong secret), ``invalid_grant`` 400 (unknown,
                            spent, expired or another app's refresh token). The old access
                            token keeps working until it expires. ``authorization_code``
                            works with codes from ``Sandbox.issue_auth_code`` (30 s).
Secrets at rest             Stored in clear in the SQLite file (mode 0600), because
                            ``seed`` and ``info --show-secrets`` print them on request. They
                            are masked in every log line.
==========================  ==================================================================

Templates
=========

==========================  ==================================================================
Point                       Sandbox behaviour
==========================  ==================================================================
AUTO_EXECUTE type           The server's strict check: only a *string* "0".."3" passes; a JSON
                            integer is "Incorrect field AUTO_EXECUTE!" (restservice.php
                            validateTemplateAutoExecution after Json::decode of the body).
                            Absent or null means 0.
                            ``SandboxConfig(strict_auto_execute=False)`` accepts integers.
DOCUMENT_TYPE               Checked against the documents of the standard catalog
                            (``compiler.catalog``); module and class compare case-
                            insensitively and are stored in the catalog's spelling. The
                            undocumented ``tasks`` documents are not accepted.
TEMPLATE_DATA               ``["name.bpt", "<base64>"]``, a bare base64 string, or the pair
                            as a PHP array ``{"0": name, "1": data}`` (form encoding).
Import errors               Bitrix's texts, from the rules ``bpl check`` runs
                            (compiler.catalog.rules). Unreadable package or an empty TEMPLATE:
                            "Incorrect workflow template". Properties: the first activity
                            (walk order, deactivated ones too) with errors, its messages
                            joined as "msg. msg. ". Child rules: "Action '<Title>': msg"
                            joined with ".". add answers all three with code ""; update with
                            ``ERROR_ARGUMENT``, ``ERROR_CORE`` and ``10010``. A value that
                            makes PHP 8 throw in ValidateProperties (count() of a string,
                            an activity that is not an array…): 500
                            ``INTERNAL_SERVER_ERROR``, and a batch holding the call dies
                            with it (nothing catches PHP's Error).
Package collections         TEMPLATE, PARAMETERS, VARIABLES, CONSTANTS that are not arrays are
                            cast like Bitrix's ORM (ArrayField, ``(array)``): null is [],
                            a scalar x is [x]; none is refused for it.
App activity properties     ``rest_<md5>`` nodes resolve against the robots/activities of
                            *any* app; one nobody registered imports (Bitrix creates its class
                            anyway); a registered required property whose value (or, when
                            null, DEFAULT) is empty is "This field is required: <NAME>".
Importing user              The caller, as Bitrix's CBPWorkflowTemplateUser: always an
                            administrator here, since template.add/update refuse others
                            first. ``user.admin`` answers whether the caller is one.
Leaf with children          Accepted, like Bitrix's base ValidateChild.
DOCUMENT_FIELDS             CRM: the code is upper-cased and prefixed ``UF_CRM_``; an existing
                            field is left alone (CRM cannot update fields). Other modules:
                            created or updated. ``*_PRINTABLE`` and dotted codes are skipped.
                            Recorded per document type; ``bpl sandbox info`` lists them.
template.list values        Numbers as strings ("525"), MODIFIED ISO-8601 in UTC ("+00:00"),
                            IS_MODIFIED "Y"/"N", TEMPLATE/PARAMETERS/VARIABLES/CONSTANTS as
                            decoded JSON with an empty map as ``[]``. DOCUMENT_TYPE is the
                            full ``[MODULE_ID, ENTITY, DOCUMENT_TYPE]`` array (server code;
                            the docs say string), whatever else is selected.
Filters                     Prefixes '', '!', '<', '<=', '>', '>='; keys with '=' or '!=' are
                            dropped silently (the server code), also for instances and
                            task.list. template.list uses filter keys as given (so they must be
                            upper-case); instances and task.list upper-case them. ORDER field
                            names are upper-cased. A list value means IN / NOT IN, null IS
                            NULL; an unreadable datetime matches nothing.
Paging                      50 per page, ``next`` only when more rows exist; ``start=-1``
                            gives the first page without ``total`` and ``next``.
Delete with instances       Refused only while an instance *runs*; terminated or killed ones
                            do not block.
update bookkeeping          MODIFIED moves on every successful update, also one whose FIELDS
                            hold nothing updatable; IS_MODIFIED=Y and USER_ID=caller only when
                            TEMPLATE_DATA is imported (CBPWorkflowTemplateLoader::update); the
                            result is the template ID.
==========================  ==================================================================

Workflows, tasks, robots, events
================================

==========================  ==================================================================
Point                       Sandbox behaviour
==========================  ==================================================================
Instance id                 14 hex digits, a dot, 8 digits (``66e81a641752f8.56521481``).
Documents                   Must be seeded (``Sandbox.seed_document``, ``bpl sandbox seed
                            document``). A CRM id carries its type (DEAL_5 → DEAL,
                            DYNAMIC_147_3 → DYNAMIC_147); lists and Drive ids need one given.
                            Unknown class: "Incorrect document type!"; unknown id: "Wrong
                            DOCUMENT_ID!".
Non-admin start             ``ACCESS_DENIED`` after the template and document checks; there
                            is no StartWorkflow permission model.
Runtime                     By default none: an instance runs until terminated or killed. At
                            start every activated ``rest_`` step gets the payload its handler
                            would receive recorded (``Sandbox.handler_calls``), with a live
                            EVENT_TOKEN when it subscribes; no HTTP request is made. With
                            ``SandboxConfig(run_workflows=True)`` the simulator runs it (see
                            "Running workflows" below).
terminate / kill            Unknown or finished instance: code "" "Workflow instance not
                            found."; terminate keeps the record (status text stored) and
                            removes its tasks; kill removes record, tasks, events and log.
instances                   Running instances only; OWNED_UNTIL is null. Finished ones are
                            kept: ``bpl workflows list --all``, ``Sandbox.workflows()``.
State machine commands      No REST method sends them (Bitrix's interface does): ``bpl
                            sandbox run command``, ``Sandbox.send_command``, matched by the
                            HandleExternalEventActivity's Name or Title, refused for users
                            outside its Permission.
Task answers                A status the task kind does not take: ``ERROR_TASK_EXECUTION``
                            "Incorrect task status"; CommentRequired Y/YA/YR: "Comment is
                            required"; a required request field: 'The field "<Title>" is
                            required'. ApproveType "any" decides on the first answer,
                            otherwise when all have answered; "cancel" counts as "no" (2).
task.list                   Docs' default SELECT plus DOCUMENT_URL; one row per task user;
                            PARAMETERS renamed to the documented whitelist.
task.delegate               A non-admin may only delegate as FROM_USER_ID (else
                            ACCESS_DENIED). DelegationType 0 subordinates / 1 everyone /
                            2 nobody: "Task delegation is not allowed for this user"; the
                            target already on the task: "User is already responsible for the
                            task". Several failures are joined with "; ".
Robot HANDLER               A host with a dot and http/https (the newest server code); the
                            app-domain match of older servers is not enforced.
Robot/activity messages     The server's one wording for both families: add "Activity or
                            Robot already installed!", update and delete "Activity or Robot
                            not found!" (bizproc/lib/restservice.php; the English docs'
                            "Automation rule" wording is not what a portal answers). Property
                            key errors use the server's "Wrong property key (<key>)!" form.
Oversized PROPERTIES        Serialized ≥ 65535 bytes: add ``ERROR_ACTIVITY_ADD_FAILURE``
                            "Activity save error!", update the validation code with the same
                            text.
EVENT_TOKEN                 ``<wf>|<activity>|<eventId>.<hex HMAC-SHA256>`` keyed by a random
                            per-portal key kept in the database.
event.send                  ``true`` for any genuine token. Delivered once, and only while the
                            step waits and the workflow runs; otherwise dropped silently (it
                            is queued on a real portal). RETURN_VALUES are matched case-
                            insensitively to RETURN_PROPERTIES and stored on the instance under
                            the activity name; LOG_MESSAGE (or a default line) is logged.
activity.log                Token first, then LOG_MESSAGE (PHP empty(): "0" is empty). A
                            workflow that does not run: ``ERROR_CORE`` "Workflow is not
                            running".
==========================  ==================================================================

Running workflows (``run_workflows=True``)
==========================================

==========================  ==================================================================
Point                       Sandbox behaviour
==========================  ==================================================================
Engine                      ``compiler.simulator`` on the template as stored at start, the
                            document's seeded fields (types from the catalog and the
                            template-made fields), the portal's users (names, heads) and the
                            caller as starting user. The run's JSON lives in the ``runs``
                            table and is replayed on every request that touches it.
Clock                       The sandbox clock: the system's plus an offset kept in the state
                            file (``bpl sandbox clock advance``), or an injected one. Before
                            each REST request the portal catches up with the offset and with
                            timers of runs other processes started; runs whose next timer is
                            due advance to now (pauses, task and robot timeouts fire in
                            order); ``Sandbox.advance(seconds)`` does the same.
Finished runs               Status ``completed``, ``terminated`` or ``error``; instances lists
                            none of them; their tasks stay listed with their final STATUS
                            (4 = timed out). An activity the simulator cannot run stops the
                            run with status ``error`` and a log line naming it.
Documents                   SetField and the other document changes are written back to the
                            seeded document, field by field (only what the step changed). An
                            edit by hand (``Sandbox.update_document``) reaches every run on
                            the document as an outside change.
Task ids                    Run tasks get ids of the portal's task table, beside seeded ones.
                            task.complete answers with the run's own rules; a refusal is
                            ``ERROR_TASK_EXECUTION`` with the run's reason. Delegation is
                            kept with the run and replayed with it.
Robot calls                 When a run reaches a registered ``rest_`` activity: an EVENT_TOKEN
                            (when it waits), the payload recorded (``handler_calls``, without
                            tokens) and a call queued. The call is a form-encoded POST with
                            Bitrix's fields and ``auth[…]`` (an access token of the app for
                            AuthUserId, else AUTH_USER_ID, else the starter; the app's
                            application_token; client_endpoint = the portal; no refresh
                            token). Sent after the answer to the request that queued it, and
                            by ``Sandbox.deliver()``; only to loopback hosts.
Failed calls                Refused host, unreachable handler, no answer within
                            ``handler_timeout`` (10 s) or a non-2xx answer: the call is marked
                            failed (``Sandbox.deliveries``) and the workflow log says why.
                            The activity keeps waiting, as on Bitrix: its timeout gives
                            ``IsTimeout = 1``; without one it waits until terminated. A late
                            event.send still completes it while it waits.
Return values               Internalized by the RETURN_PROPERTIES type (int, double, bool Y/N,
                            user_N, dates). A value that does not fit is dropped (the result
                            stays empty) and logged: 'Return value "<code>" is not a valid
                            <type>: <value>; it was left empty'. The event still completes
                            the activity.
Late events                 An event for an activity that no longer waits (timed out,
                            terminated) is dropped silently, values and all.
==========================  ==================================================================

Batch
=====

==========================  ==================================================================
Point                       Sandbox behaviour
==========================  ==================================================================
More than 50 commands       The first 50 run; each extra one gets ``ERROR_BATCH_LENGTH_
                            EXCEEDED`` "Max batch length exceeded" in ``result_error``; the
                            batch answers 200.
Nested batch                ``ERROR_BATCH_METHOD_NOT_ALLOWED`` in ``result_error``.
template.add in batch       Allowed (only upload/download methods are banned).
``$result[...]``            Also ``$result_error``, ``_total``, ``_next``, ``_time``. A value
                            that is exactly one reference to an array becomes nested keys;
                            inside text, scalars are interpolated; unknown references become
                            "". Commands run as the batch's caller (an ``auth`` inside a
                            command is ignored). ``halt`` is true for 1/true/y/yes.
==========================  ==================================================================
"""

from __future__ import annotations
