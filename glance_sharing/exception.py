"""Domain errors, each with the HTTP status the API answers it with.

api/wsgi_wrapper.py turns each into a JSON error with its ``code``.
"""


class GlanceSharingException(Exception):
    """A domain error; ``code`` is the HTTP status the API answers with."""

    message = 'An unknown error occurred.'
    code = 500
    # Extra response headers, such as Retry-After.
    headers = {}

    def __init__(self, headers=None, **kwargs):
        self.kwargs = kwargs
        self.headers = dict(self.headers, **(headers or {}))
        super().__init__(self.message % kwargs)


class ImageNotFound(GlanceSharingException):
    message = 'Image %(image_id)s not found.'
    code = 404


class ImageExists(GlanceSharingException):
    message = 'An image with identifier %(image_id)s already exists.'
    code = 409


class ImageNotShared(GlanceSharingException):
    """The one statement of "only shared images have members".

    Raised by the handlers before anything else is read, and again under
    the image lock, when the visibility changed in between.
    """

    message = ('Not allowed to %(action)s members for image %(image_id)s: '
               'only images with visibility "shared" have members, and '
               'this one is "%(visibility)s".')
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


# --- Image data -------------------------------------------------------------

class ImageNotQueued(GlanceSharingException):
    message = ('Image status transition from %(status)s to saving is not '
               'allowed: data can be uploaded only to a queued image.')
    code = 409


class ImageFormatsMissing(GlanceSharingException):
    # Glance's words, singular or plural.
    message = '%(noun)s %(names)s must be set prior to saving data.'
    code = 400

    def __init__(self, missing):
        super().__init__(
            noun='Property' if len(missing) == 1 else 'Properties',
            names=', '.join(missing))


class ImageGoneDuringUpload(GlanceSharingException):
    message = ('Image %(image_id)s was deleted while its data was being '
               'uploaded; the data was discarded.')
    code = 410


class ImageSizeCapExceeded(GlanceSharingException):
    message = ('The image data is larger than the limit of %(cap)d bytes '
               '([DEFAULT] image_size_cap); nothing was kept.')
    code = 413


class IncompleteUpload(GlanceSharingException):
    message = ('The upload ended after %(received)d of the %(expected)s '
               'bytes announced; nothing was kept. Send the image again.')
    code = 400


class UploadReadError(GlanceSharingException):
    message = ('The image data could not be read from the request (the '
               'client may have hung up) after %(received)d bytes; nothing '
               'was kept. Send the image again.')
    code = 400


class StorageFull(GlanceSharingException):
    message = ('There is not enough room in the image store for this image; '
               'nothing was kept.')
    code = 413


class StoredDataExists(GlanceSharingException):
    message = ('The image store already holds data under the id of image '
               '%(image_id)s that no image refers to; an operator must '
               'remove it before this image can be uploaded.')
    code = 409


class StoreUnavailable(GlanceSharingException):
    message = ('The image store cannot be used now (%(reason)s); retry '
               'later.')
    code = 503
    headers = {'Retry-After': '10'}


class BadRange(GlanceSharingException):
    message = ('Requests with multiple ranges are not supported; make one '
               'request per range.')
    code = 400


class RangeNotSatisfiable(GlanceSharingException):
    message = ('The Range %(range)s cannot be satisfied for an image of '
               '%(size)d bytes.')
    code = 416


class ImageStatusChangeForbidden(GlanceSharingException):
    message = "Not allowed to %(action)s image in status '%(status)s'."
    code = 403
