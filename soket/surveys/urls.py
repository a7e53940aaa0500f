from django.urls import path

from soket.surveys.views import anonymous, answering, definition, results, sampling

urlpatterns = [
    # The survey and its questions.
    path("dot/<int:pk>/", definition.survey_list, name="survey_list"),
    path("dot/<int:pk>/moi/", definition.survey_create, name="survey_create"),
    path("<int:pk>/", definition.survey_detail, name="survey_detail"),
    path("<int:pk>/sua/", definition.survey_edit, name="survey_edit"),
    path("<int:pk>/phan/", definition.section_add, name="survey_section_add"),
    path("phan/<int:pk>/", definition.section_edit, name="survey_section_edit"),
    path("<int:pk>/cau-hoi/", definition.question_add, name="survey_question_add"),
    path("cau-hoi/<int:pk>/", definition.question_edit, name="survey_question_edit"),
    path("cau-hoi/<int:pk>/xoa/", definition.question_delete, name="survey_question_delete"),
    path("<int:pk>/mo/", definition.survey_open, name="survey_open"),
    path("<int:pk>/dong/", definition.survey_close, name="survey_close"),
    # Who answers.
    path("<int:pk>/doi-tuong/", sampling.survey_respondents, name="survey_respondents"),
    path("<int:pk>/doi-tuong/rut-mau/", sampling.survey_draw, name="survey_draw"),
    path("<int:pk>/tien-do/", sampling.survey_progress, name="survey_progress"),
    path("<int:pk>/phieu/<int:unit_pk>/", sampling.survey_tokens, name="survey_tokens"),
    # A unit's answers: on the web, typed from paper, by spreadsheet.
    path("<int:pk>/tra-loi/<int:unit_pk>/", answering.unit_answer, name="survey_answer"),
    path("<int:pk>/tra-loi/<int:unit_pk>/phieu-giay/", answering.paper_entry, name="survey_paper"),
    path(
        "<int:pk>/tra-loi/<int:unit_pk>/bang-tinh/",
        answering.answer_form_xlsx,
        name="survey_answer_xlsx",
    ),
    path(
        "<int:pk>/tra-loi/<int:unit_pk>/bang-tinh/nhap/",
        answering.answer_form_upload,
        name="survey_answer_upload",
    ),
    # A worker's anonymous questionnaire: no account, one answer per secret.
    path("phieu/<str:secret>/", anonymous.anonymous_answer, name="survey_anonymous"),
    path("phieu-da-gui/", anonymous.anonymous_done, name="survey_anonymous_done"),
    # Results.
    path("<int:pk>/ket-qua/", results.survey_results, name="survey_results"),
    path(
        "<int:pk>/ket-qua/<slug:code>.<str:file_format>",
        results.result_chart,
        name="survey_result_chart",
    ),
    path("<int:pk>/ket-qua/xlsx/", results.results_xlsx, name="survey_results_xlsx"),
    path("<int:pk>/ket-qua/trich/", results.result_quote, name="survey_result_quote"),
]
