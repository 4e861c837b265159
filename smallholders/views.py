"""Private files of smallholders, served only through the scope and personal-data checks."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from smallholders.selectors import access_smallholder, sees_personal_data


@login_required
@require_GET
def agreement_file(request: HttpRequest, pk: int) -> FileResponse:
    """The signed carbon agreement: for the cooperative's staff and the project's managers."""
    smallholder = access_smallholder(user=request.user, smallholder_id=pk)
    if not sees_personal_data(
        user=request.user,
        project_id=smallholder.project_id,
        cooperative_id=smallholder.cooperative_id,
    ):
        raise Http404
    document = smallholder.agreement_document
    if not document:
        raise Http404
    try:
        handle = document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=document.name.rsplit("/", 1)[-1])
