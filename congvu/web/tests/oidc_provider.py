"""A real OpenID Connect provider for the single sign-on tests: django-oauth-toolkit with OIDC
on, in its own process, its own SQLite database and its own RSA key, served by wsgiref on a
free port (printed on the first line of stdout).

    python oidc_provider.py CONFIG.json

CONFIG: {"db": path, "rsa_key": PEM, "users": [{"username", "password", "email",
"ma_can_bo"}], "clients": [{"client_id", "client_secret", "redirect_uri"}]}.

Two clients misbehave on purpose, standing in for a misconfigured or hostile identity provider:
a client id ending in "-sai-aud" gets ID tokens addressed to another application, one ending in
"-sai-chu-ky" gets ID tokens signed with a key the provider does not publish.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

urlpatterns: list[Any] = []


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main() -> None:
    cfg = json.loads(open(sys.argv[1], encoding="utf-8").read())  # noqa: SIM115
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="oidc-provider-test-only",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF="__main__",
        USE_TZ=True,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": cfg["db"]}},
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        LOGIN_URL="/dang-nhap/",
        TEMPLATES=[
            {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}
        ],
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": cfg["rsa_key"],
            "SCOPES": {"openid": "OpenID Connect", "email": "Email", "profile": "Profile"},
            "OAUTH2_VALIDATOR_CLASS": "__main__.Validator",
        },
    )
    django.setup()

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    from django.contrib.auth import authenticate, login
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
    from django.urls import include, path
    from django.views.decorators.csrf import csrf_exempt
    from oauth2_provider.models import Application
    from oauth2_provider.oauth2_validators import OAuth2Validator

    rogue = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    extra = {u["username"]: u for u in cfg["users"]}

    class Validator(OAuth2Validator):  # type: ignore[misc]
        oidc_claim_scope = None  # every claim below goes into the ID token

        def get_additional_claims(self, request: Any) -> dict[str, Any]:
            u = extra[request.user.username]
            return {
                "email": u["email"],
                "email_verified": True,
                "ma_can_bo": u.get("ma_can_bo", ""),
                "name": u["username"],
            }

        def get_id_token_dictionary(self, token: Any, token_handler: Any, request: Any) -> Any:
            claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
            if request.client_id.endswith("-sai-aud"):
                claims["aud"] = "ung-dung-khac"
            return claims, expiration

        def finalize_id_token(
            self, id_token: Any, token: Any, token_handler: Any, request: Any
        ) -> str:
            jwt = str(super().finalize_id_token(id_token, token, token_handler, request))
            if not request.client_id.endswith("-sai-chu-ky"):
                return jwt
            # Same header (the published key's kid) and claims, signed with another key.
            head, body, _sig = jwt.split(".")
            forged = rogue.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
            return f"{head}.{body}.{_b64(forged)}"

    sys.modules["__main__"].Validator = Validator  # type: ignore[attr-defined]

    @csrf_exempt
    def sign_in(request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            user = authenticate(
                request,
                username=request.POST.get("username", ""),
                password=request.POST.get("password", ""),
            )
            if user is None:
                return HttpResponse("sai mật khẩu", status=403)
            login(request, user)
            return HttpResponseRedirect(request.POST.get("next") or "/")
        return HttpResponse(
            '<form method="post"><input name="username"><input name="password" type="password">'
            f'<input type="hidden" name="next" value="{request.GET.get("next", "")}"></form>'
        )

    urlpatterns[:] = [
        path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
        path("dang-nhap/", sign_in),
    ]

    call_command("migrate", verbosity=0)
    for u in cfg["users"]:
        User.objects.create_user(u["username"], password=u["password"])
    for c in cfg["clients"]:
        Application.objects.create(
            name=c["client_id"],
            client_id=c["client_id"],
            client_secret=c["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=c["redirect_uri"],
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=_Quiet)
    print(server.server_port, flush=True)  # noqa: T201 - the parent reads the port
    server.serve_forever()


if __name__ == "__main__":
    main()
