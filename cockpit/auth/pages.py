"""The plain HTML pages of access control: sign-in, "no access", refusals, errors.

Server-rendered (Jinja, autoescaped) rather than Dash pages: they must work
before anyone is signed in and whatever state the Dash app is in, and they
never include the app's data. Chinese by default, English with ?lang=en (or the
form's lang field).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Response, g, request

_TEXTS: dict[str, tuple[str, str]] = {
    "app_title": ("领导驾驶舱", "Leadership cockpit"),
    "sign_in": ("登录", "Sign in"),
    "sign_in_text": ("请使用驾驶舱账号登录。", "Sign in with your cockpit account."),
    "sso_sign_in": ("统一身份认证登录", "Sign in with the campus account"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "bad_login": ("用户名或密码不正确。", "Wrong user name or password."),
    "rate_limited": ("登录尝试过于频繁，请稍后再试。", "Too many sign-in attempts; try again in a minute."),
    "bad_form": ("表单已过期，请重新登录。", "The form expired; please sign in again."),
    "no_access": ("没有访问权限", "No access"),
    "no_access_text": (
        "您的账号尚未被授予任何角色或数据范围。请联系学校信息中心开通权限。",
        "Your account has no role or data scope yet. Ask the school's IT office to grant access.",
    ),
    "forbidden": ("无权查看", "Not allowed"),
    "forbidden_text": (
        "您请求的页面或数据不在您的权限范围内。",
        "The page or data you asked for is outside your scope.",
    ),
    "untrusted_header": ("无法验证身份", "Identity not accepted"),
    "untrusted_header_text": (
        "身份信息来自未受信任的地址，已拒绝并记录。",
        "The identity header came from an untrusted address; refused and logged.",
    ),
    "header_missing": ("需要统一身份认证", "Campus sign-in required"),
    "header_missing_text": (
        "请通过学校门户（统一身份认证）访问驾驶舱。",
        "Open the cockpit through the school portal (campus single sign-on).",
    ),
    "bad_wall_token": ("大屏链接无效", "Wall link not valid"),
    "bad_wall_token_text": (
        "这个大屏链接已被使用、已撤销或不正确。请管理员重新生成大屏链接。",
        "This wall link was already used, revoked or is wrong. Ask an admin for a new wall link.",
    ),
    "sso_failed": ("统一身份认证失败", "Campus sign-in failed"),
    "sso_failed_text": (
        "认证服务器未能确认您的身份，请重新登录。",
        "The sign-in server did not confirm your identity; please sign in again.",
    ),
    "not_found": ("页面不存在", "Page not found"),
    "not_found_text": ("请检查地址，或返回首页。", "Check the address, or go back to the start page."),
    "error": ("出错了", "Something went wrong"),
    "error_text": (
        "服务器处理请求时出错，已记录。请稍后重试。",
        "The server failed on this request; it has been logged. Please try again later.",
    ),
    "signed_out": ("已退出登录", "Signed out"),
    "signed_out_text": ("您已安全退出。", "You have signed out."),
    "home": ("返回首页", "Start page"),
    "sign_out": ("退出登录", "Sign out"),
    "signed_in_as": ("当前账号：{name}", "Signed in as {name}"),
    "incident": ("事件编号：{id}", "Incident {id}"),
}


def text(key: str, lang: str) -> str:
    zh, en = _TEXTS[key]
    return en if lang == "en" else zh


def lang_of_request() -> str:
    value = request.values.get("lang") if request else None
    return "en" if value == "en" else "zh"


@cache
def _template():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=select_autoescape(["html"]),
    )
    return env.get_template("auth.html")


def _other_lang(lang: str) -> dict[str, str]:
    args = {k: v for k, v in request.args.items() if k != "lang"}
    if lang == "zh":
        args["lang"] = "en"
    href = request.path + ("?" + urlencode(args) if args else "")
    return {
        "href": href,
        "label": "English" if lang == "zh" else "中文",
        "code": "en" if lang == "zh" else "zh",
    }


def page(status: int = 200, **parts: Any) -> Response:
    """Render the auth page with ``parts`` (title, text, error, form, sso, who, home, logout)."""
    lang = parts.pop("lang", None) or lang_of_request()
    html = _template().render(
        lang=lang,
        app_title=text("app_title", lang),
        other_lang=_other_lang(lang),
        **parts,
    )
    resp = Response(html, status=status, mimetype="text/html")
    resp.headers["Cache-Control"] = "no-store"
    return resp


def message(key: str, status: int, identity: Any = None, incident: str | None = None) -> Response:
    """A one-message page (refusal, error) with sign-out when someone is signed in."""
    lang = lang_of_request()
    parts: dict[str, Any] = {
        "title": text(key, lang),
        "text": text(key + "_text", lang) if key + "_text" in _TEXTS else "",
        "home": {"href": "/" + ("?lang=en" if lang == "en" else ""), "label": text("home", lang)},
    }
    if identity is not None and identity.kind in ("user",):
        parts["who"] = text("signed_in_as", lang).format(name=identity.display or identity.name)
        parts["logout"] = {"csrf": g.get("csrf", ""), "label": text("sign_out", lang)}
    if incident:
        parts["incident"] = text("incident", lang).format(id=incident)
    return page(status, lang=lang, **parts)


def no_access(identity: Any, status: int = 403) -> Response:
    """Signed in, but no role or an empty scope: this and nothing else."""
    lang = lang_of_request()
    return page(
        status,
        lang=lang,
        title=text("no_access", lang),
        text=text("no_access_text", lang),
        who=text("signed_in_as", lang).format(name=identity.display or identity.name),
        logout={"csrf": g.get("csrf", ""), "label": text("sign_out", lang)}
        if identity.kind == "user"
        else None,
    )
