from django.http import HttpRequest, HttpResponse


def class_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


class_new = class_detail = enrol = enrolment_action = attendance = class_complete = plans = class_list
