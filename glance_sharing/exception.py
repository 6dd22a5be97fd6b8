"""Domain errors raised by the DB API; handlers turn them into HTTP."""


class GlanceSharingException(Exception):
    """A domain error; ``code`` is the HTTP status the API answers with."""

    message = 'An unknown error occurred.'
    code = 500

    def __init__(self, **kwargs):
        self.kwargs = kwargs
        super().__init__(self.message % kwargs)


class ImageNotFound(GlanceSharingException):
    message = 'Image %(image_id)s not found.'
    code = 404


class ImageExists(GlanceSharingException):
    message = 'An image with identifier %(image_id)s already exists.'
    code = 409


class ImageNotShared(GlanceSharingException):
    message = ('Image %(image_id)s has visibility "%(visibility)s"; only '
               'images with visibility "shared" have members.')
    code = 403


class MemberNotFound(GlanceSharingException):
    message = ('%(member)s not found in the member list of the image '
               '%(image_id)s.')
    code = 404


class MemberExists(GlanceSharingException):
    message = 'Member %(member)s is duplicated for image %(image_id)s.'
    code = 409


class MemberQuotaExceeded(GlanceSharingException):
    message = ('Image member limit exceeded for image %(image_id)s: the '
               'image already has %(count)d members and the limit is '
               '%(limit)d.')
    code = 413


class InvalidMarker(GlanceSharingException):
    message = 'The marker %(marker)s was not found.'
    code = 400


class TagQuotaExceeded(GlanceSharingException):
    message = ('Image %(image_id)s cannot have more than %(limit)d tags.')
    code = 413
