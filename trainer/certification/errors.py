"""The error certification operations raise with a user-facing reason."""


class CertificationError(ValueError):
    """A user-facing reason a certification action was refused."""
