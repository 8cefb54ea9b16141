"""Which portal a command talks to: the command line's choice, so that the deployer never
loads the sandbox.

`portal = "sandbox"` (the default environment) starts the embedded sandbox portal inside this
process, its state in `<project>/.bpl/sandbox.sqlite3`; its default application's credentials
are used, and its client id is what `env.app_client_id` compiles to. Any other portal is a
Bitrix24 address, opened by `compiler.deploy.target.open_portal`.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from compiler.cli.sandbox_files import sandbox_data, sandbox_errors
from compiler.deploy.target import Target, open_portal
from compiler.portal import OAuthAuth, PortalClient, PortalConfig
from compiler.project.config import ConfigError, EnvironmentConfig, Project

# Any http(s) address will do: the ASGI transport never resolves it.
SANDBOX_URL = "http://sandbox.bpl"


def open_target(project: Project, name: str, config: EnvironmentConfig) -> Target:
    """The environment's portal, connected: the embedded sandbox or a Bitrix24 portal."""
    if config.is_sandbox:
        return open_sandbox(project, name, config)
    return open_portal(project, name, config)


def open_sandbox(project: Project, name: str, config: EnvironmentConfig) -> Target:
    """The project's embedded sandbox portal, started in this process: no server, no port;
    the HTTP exchange goes through `httpx.ASGITransport`."""
    from compiler.sandbox import Faults, Limits, Sandbox, SandboxConfig

    data = sandbox_data(project)
    try:
        faults = Faults.parse(config.faults) if config.faults else Faults.none()
    except ValueError as error:
        raise ConfigError(f"environment '{name}': faults: {error}") from None
    # The built-in portal runs what is started on it, so `bpl workflows start` and
    # `bpl tasks complete` behave end to end there.
    with sandbox_errors(project):
        sandbox = Sandbox(SandboxConfig(data=data, limits=Limits.named(config.limits),
                                        faults=faults, run_workflows=True))
        try:
            creds = sandbox.ensure_default_app()
        except BaseException:
            sandbox.close()
            raise
    auth = OAuthAuth(creds.client_id, creds.client_secret, creds.access_token,
                     creds.refresh_token, oauth_url=f"{SANDBOX_URL}{creds.token_path}")
    client = PortalClient(
        PortalConfig(SANDBOX_URL, auth, timeout=config.timeout, limits=config.limits),
        transport=httpx.ASGITransport(app=sandbox.asgi_app),
    )
    label = f"the embedded sandbox portal, {_shown(data, project.root)}"
    return Target(name, config, client, label, creds.client_id, creds.app_id, [sandbox],
                  portal_id=f"sandbox {data.resolve()}")


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
