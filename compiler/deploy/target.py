"""The portal an environment of bpl.toml deploys to, connected and ready for calls.

A Bitrix24 portal is opened here (`open_portal`): secrets come from the environment variables
the environment names, never from bpl.toml, and OAuth tokens rotate through the token store.
The embedded sandbox portal is the command line's to open (`compiler.cli.targets`): the
deployer works with whatever `Target` it is given and never loads the sandbox itself.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from compiler.deploy.state import DeployState
from compiler.portal import OAuthAuth, PortalClient, PortalConfig, TokenStore, WebhookAuth
from compiler.portal.auth import DEFAULT_OAUTH_URL
from compiler.project.config import SANDBOX, ConfigError, EnvironmentConfig, Project


@dataclass
class Target:
    environment: str
    config: EnvironmentConfig
    client: PortalClient
    label: str  # where the plan goes, for people (never with a secret)
    app_client_id: str | None = None
    app_id: int | None = None  # when known without asking the portal
    _closers: list[object] = field(default_factory=list, repr=False)
    # Which portal this is, for the deploy lock: the embedded sandbox's database file (each
    # project has its own), or the portal's address.
    portal_id: str = ""

    @property
    def owner(self) -> str:
        """Whose templates apply writes: the application (a webhook deploys nothing, but plans
        for the application `app_id` names)."""
        if self.app_client_id:
            return f"app {self.app_client_id}"
        if self.app_id is not None:
            return f"app #{self.app_id}"
        auth = self.client.config.auth
        return f"webhook of user {auth.user_id}" if isinstance(auth, WebhookAuth) else "app"

    @property
    def lock_key(self) -> str:
        """What two applies must not do at once: write one application's templates on one
        portal (see `lock`)."""
        return f"{self.portal_id or self.client.portal} {self.owner}"

    def close(self) -> None:
        self.client.close()
        for closer in self._closers:
            closer.close()  # type: ignore[attr-defined]

    def __enter__(self) -> Target:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def portal_key(config: EnvironmentConfig) -> str:
    """Which portal an environment deploys to, as a file name: `sandbox` for the project's
    embedded one, else the portal's host (and port): `example.bitrix24.com`, `127.0.0.1_8765`.
    Environments with the same key share what is recorded about the portal."""
    if config.is_sandbox:
        return SANDBOX
    address = re.sub(r"/rest/?$", "", config.portal.strip().rstrip("/"))
    host = urlsplit(address).netloc.lower() or address.lower()
    return re.sub(r"[^a-z0-9.-]", "_", host).strip(".") or "portal"


def deploy_state(project: Project, environment: str, config: EnvironmentConfig) -> DeployState:
    """The deploy state of the environment's portal, with the per-environment files of earlier
    versions of every environment of bpl.toml on that portal merged in."""
    key = portal_key(config)
    environments = dict(project.config.environments)
    environments.setdefault(environment, config)
    if SANDBOX not in environments:  # the implicit default environment
        environments[SANDBOX] = EnvironmentConfig()
    earlier = [project.state_dir / f"state-{name}.json"
               for name, other in sorted(environments.items()) if portal_key(other) == key]
    return DeployState.for_portal(project.state_dir, key, earlier)


def _secret(variable: str | None, what: str, environment: str) -> str | None:
    if variable is None:
        return None
    value = os.environ.get(variable, "").strip()
    if not value:
        raise ConfigError(f"environment '{environment}': {what} is read from the environment "
                          f"variable {variable}, which is not set")
    return value


def open_portal(project: Project, name: str, config: EnvironmentConfig) -> Target:
    if config.auth == "webhook":
        url = _secret(config.webhook_env, "the webhook URL", name)
        if url is None:
            raise ConfigError(f"environment '{name}': auth = \"webhook\" needs webhook_env, the "
                              "name of the environment variable holding the webhook URL")
        auth: OAuthAuth | WebhookAuth = WebhookAuth(url)
    else:
        if not config.client_id:
            raise ConfigError(f"environment '{name}': auth = \"oauth\" needs client_id, the "
                              "local application's client id (see docs/deploying.md)")
        secret = _secret(config.client_secret_env, "the client secret", name)
        if secret is None:
            raise ConfigError(f"environment '{name}': auth = \"oauth\" needs client_secret_env, "
                              "the name of the environment variable holding the client secret")
        store_path = Path(config.token_store).expanduser() if config.token_store \
            else project.state_dir / "tokens.json"
        if not store_path.is_absolute():
            store_path = project.root / store_path
        auth = OAuthAuth(
            config.client_id, secret,
            _secret(config.access_token_env, "the access token", name),
            _secret(config.refresh_token_env, "the refresh token", name),
            oauth_url=config.oauth_url or DEFAULT_OAUTH_URL, store=TokenStore(store_path))
    client = PortalClient(PortalConfig(config.portal, auth, timeout=config.timeout,
                                       limits=config.limits))
    return Target(name, config, client, client.portal, config.client_id, config.app_id,
                  portal_id=client.portal.lower())
