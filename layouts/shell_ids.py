"""Component ids declared beside their page (one class per page, as webviz-config's views do), each
``<page>-<element>-<kind>``: layouts, callbacks and tests use these constants, never literal ids."""


class ShellIds:
    """Component ids of the shell (navbar, banners, notices)."""

    NAVBAR = "shell-navbar"
    LOCAL_MODE_BANNER = "shell-local-mode-banner"
    ERROR_TOAST = "shell-error-toast"
    USER_BADGE = "shell-user-badge"
    LOGOUT_BUTTON = "shell-logout-button"
