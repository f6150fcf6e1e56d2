from django.apps import AppConfig


class StudentAidConfig(AppConfig):
    name = "gonghui.student_aid"
    label = "student_aid"
    verbose_name = "金秋助学"
