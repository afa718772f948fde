"""Access control: identities, scopes, sign-in modes, users, walls and the audit log.

- ``identity.py``  who is asking (person or wall) and the grant that makes a Scope
- ``accounts.py``  users, walls, server-side sessions and audit lines in the store
- ``web.py``       the Flask hooks: deny by default, page rules, CSRF, headers, errors
- ``routes.py``    /login, /logout, /auth/cas, /auth/oidc
- ``cas.py``, ``oidc.py``, ``mapping.py``  campus SSO and attribute mapping
- ``pages.py``     the sign-in / no-access / refusal pages (plain HTML)

Pages and callbacks call ``request_scope()``; the service layer takes that
scope as a required argument. docs/security.md tells the whole story.
"""

from cockpit.auth.web import audit, csrf_token, current_identity, request_scope, status_scope

__all__ = ["audit", "csrf_token", "current_identity", "request_scope", "status_scope"]
