"""OpenID Connect sign-in with the province's identity provider (its one-stop portal or the
VNeID-backed provincial IdP), authorization-code flow with PKCE, by Authlib.

Authlib checks the ID token: its signature against the provider's published keys (JWKS), the
issuer, the audience (our client id), expiry, the nonce and at_hash. The verified identity is
then mapped to a Person by one claim (settings.OIDC_PERSON_CLAIM, e.g. "email" or a staff-code
claim) matched against one field of Person (OIDC_PERSON_FIELD); nobody is created here: a person
the organisation list does not know, or one without an active account, is refused."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from congvu.org.models import Person


class SSOError(Exception):
    """A refusal, with the message shown on the sign-in page (Vietnamese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def configured() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_CLIENT_ID)


@lru_cache(maxsize=4)
def _client(issuer: str, client_id: str, client_secret: str, scopes: str) -> Any:
    from authlib.integrations.django_client import OAuth

    oauth = OAuth()
    oauth.register(
        "province",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": scopes, "code_challenge_method": "S256", "timeout": 15},
    )
    return oauth.create_client("province")


def client() -> Any:
    return _client(
        settings.OIDC_ISSUER,
        settings.OIDC_CLIENT_ID,
        settings.OIDC_CLIENT_SECRET,
        settings.OIDC_SCOPES,
    )


def _check_issuer(c: Any) -> None:
    metadata = c.load_server_metadata()
    if metadata.get("issuer", "").rstrip("/") != settings.OIDC_ISSUER.rstrip("/"):
        raise SSOError(
            _(
                "Máy chủ định danh trả về mã tổ chức phát hành (issuer) khác với cấu hình; "
                "đăng nhập bị từ chối."
            )
        )


def start(request: Any, redirect_uri: str) -> Any:
    """The redirect to the provider's authorization endpoint (state, nonce and PKCE kept in
    the session by Authlib)."""
    import requests

    try:
        c = client()
        _check_issuer(c)
        return c.authorize_redirect(request, redirect_uri)
    except requests.RequestException as exc:
        _client.cache_clear()
        raise SSOError(
            _("Không kết nối được máy chủ định danh của tỉnh; hãy thử lại sau.")
        ) from exc


def finish(request: Any) -> User:
    """Exchange the code, verify the ID token, and return the account of the Person it names."""
    import requests
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
    from joserfc.errors import (
        BadSignatureError,
        ClaimError,
        ExpiredTokenError,
        InvalidKeyIdError,
        JoseError,
    )

    try:
        token = client().authorize_access_token(request)
    except MismatchingStateError as exc:
        raise SSOError(
            _("Phiên đăng nhập một cửa không khớp hoặc đã hết hạn; hãy bắt đầu đăng nhập lại.")
        ) from exc
    except (BadSignatureError, InvalidKeyIdError) as exc:
        raise SSOError(
            _(
                "Chữ ký của mã định danh (ID token) không hợp lệ: không khớp khóa công khai của "
                "máy chủ định danh; đăng nhập bị từ chối."
            )
        ) from exc
    except ExpiredTokenError as exc:
        raise SSOError(_("Mã định danh (ID token) đã hết hạn; hãy đăng nhập lại.")) from exc
    except ClaimError as exc:
        if exc.claim in ("aud", "azp"):  # azp: the party the token was issued to
            raise SSOError(
                _(
                    "Mã định danh (ID token) không cấp cho Công Vụ (sai đối tượng nhận “aud”); "
                    "đăng nhập bị từ chối."
                )
            ) from exc
        if exc.claim == "iss":
            raise SSOError(
                _(
                    "Mã định danh (ID token) do nơi khác phát hành (sai “iss”); đăng nhập bị từ chối."
                )
            ) from exc
        raise SSOError(
            _("Mã định danh (ID token) không hợp lệ (trường “%(claim)s”); đăng nhập bị từ chối.")
            % {"claim": exc.claim}
        ) from exc
    except OAuthError as exc:
        raise SSOError(
            _("Máy chủ định danh từ chối đăng nhập: %(error)s.")
            % {"error": exc.description or exc.error}
        ) from exc
    except (AuthlibBaseError, JoseError, ValueError) as exc:
        raise SSOError(
            _("Mã định danh không hợp lệ; đăng nhập bị từ chối (%(error)s).") % {"error": exc}
        ) from exc
    except requests.RequestException as exc:
        raise SSOError(
            _("Không kết nối được máy chủ định danh của tỉnh; hãy thử lại sau.")
        ) from exc
    claims = token.get("userinfo") or {}
    if not claims:
        raise SSOError(_("Máy chủ định danh không trả về mã định danh (ID token)."))
    return person_account(dict(claims))


def person_account(claims: dict[str, Any]) -> User:
    claim = settings.OIDC_PERSON_CLAIM
    value = str(claims.get(claim) or "").strip()
    if not value:
        raise SSOError(
            _("Mã định danh không có trường “%(claim)s” để đối chiếu cán bộ.") % {"claim": claim}
        )
    if claim == "email" and claims.get("email_verified") is False:
        raise SSOError(_("Địa chỉ thư điện tử chưa được máy chủ định danh xác minh."))
    lookup = {f"{settings.OIDC_PERSON_FIELD}__iexact": value}
    people = list(Person.objects.filter(**lookup, is_active=True).select_related("user")[:2])
    if not people:
        raise SSOError(
            _(
                "Tài khoản định danh “%(value)s” chưa được khai báo trong Công Vụ; hãy liên hệ "
                "quản trị hệ thống của đơn vị (tài khoản không được tự động tạo)."
            )
            % {"value": value}
        )
    if len(people) > 1:
        raise SSOError(
            _("Có nhiều cán bộ cùng “%(value)s”; quản trị hệ thống cần sửa danh sách cán bộ.")
            % {"value": value}
        )
    user = people[0].user
    if user is None or not user.is_active:
        raise SSOError(
            _(
                "Cán bộ %(name)s chưa có tài khoản Công Vụ đang hoạt động; hãy liên hệ quản trị "
                "hệ thống."
            )
            % {"name": people[0].full_name}
        )
    return user
