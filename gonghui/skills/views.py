from django.http import HttpRequest, HttpResponse


def contest_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
