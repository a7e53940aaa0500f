"""A unit's answers as an .xlsx form, for units that work offline: download, fill, upload.

For a survey of unions the form has one row per question (its code, the question, how
to answer it, the answer); for a survey of workers it has one row per paper
questionnaire, its number first ("Số phiếu": the form lists the numbers not yet in) and
one column per question code, so a unit types in a pile of them at once; each row spends
the questionnaire of its number, so a file uploaded twice is refused by its numbers. A
row with a number and no answer is a sheet the unit does not have, and is left out. A
hidden sheet names the survey, the unit and (for a union's answer) the revision
of the answer the form was made from, so the form of another survey or unit is refused
and an upload cannot overwrite an answer saved on the web since.

Uploads are read as the report form is (soket.core.tabular): size and content first,
then every cell; each answer is checked by answers.check_values, the check of every
other door, and its problem placed at its row and column. Any problem refuses the whole
file; a worker file is saved as all its questionnaires or none.
"""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal
from typing import Any

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill, Protection

from soket.core import tabular
from soket.core.tabular import Column, RowError, TableError
from soket.core.text import clean_text
from soket.orgs.models import User
from soket.surveys import answers, tokens
from soket.surveys.answers import AnswerError, Questionnaire
from soket.surveys.labels import localized
from soket.surveys.models import Question, Respondent, Response, Survey

MARK = "soket-phieu-khao-sat-1"
GUIDE, FORM, QUESTIONS, META = "Hướng dẫn", "Phiếu", "Câu hỏi", "soket"
CODE, QUESTION, HOW, ANSWER = "Mã câu hỏi", "Câu hỏi", "Cách trả lời", "Trả lời"
NUMBER = "Số phiếu"  # the worker form's first column: the number printed on the sheet
UNIT_COLUMNS = [
    Column("code", CODE, required=True, parse=tabular.text(60)),
    Column("question", QUESTION),
    Column("how", HOW),
    Column("answer", ANSWER),  # read by answers.check_values, as every other door does
]
INPUT = PatternFill("solid", fgColor="FFF8DC")
FIXED = PatternFill("solid", fgColor="E7E6E6")
TEXT_FORMAT = "@"  # what Excel keeps as typed: "01/02/2016" stays a text, not a number
MAX_QUESTIONNAIRES = 5_000  # rows of one worker file


def _how(questionnaire: Questionnaire, question: Question) -> str:
    """How to answer, in the form's Vietnamese (the form is a Vietnamese document)."""
    Kind = Question.Kind
    choices = questionnaire.choices[question.pk]
    listed = "; ".join(f"{choice.code} = {choice.label}" for choice in choices)
    if question.kind == Kind.NUMBER:
        hint = "Ghi một số"
        if question.minimum is not None:
            hint += f", không nhỏ hơn {answers.shown_number(question.minimum)}"
        if question.maximum is not None:
            hint += f", không lớn hơn {answers.shown_number(question.maximum)}"
    elif question.kind == Kind.SINGLE:
        hint = f"Ghi một mã: {listed}"
    elif question.kind == Kind.MULTIPLE:
        hint = f"Ghi một hoặc nhiều mã, cách nhau bằng dấu phẩy: {listed}"
    elif question.kind == Kind.SCALE:
        hint = "Ghi một số từ 1 đến 5"
    elif question.kind == Kind.DATE:
        hint = "Ghi ngày dạng dd/mm/yyyy"
    else:
        hint = f"Ghi câu trả lời (tối đa {answers.TEXT_LIMIT} ký tự)"
    hint += ". Bắt buộc." if question.required else ". Không bắt buộc."
    if question.shown_if is not None:
        codes = ", ".join(str(code) for code in question.shown_if_codes or [])
        hint += f" Chỉ trả lời khi câu {question.shown_if.code} là {codes}; nếu không, để trống."
    return hint


def _put(sheet, row: int, column: int, value: Any) -> Cell:
    """Text is written as text, never as a formula (see documents/report_form.py)."""
    if isinstance(value, str):
        cell = sheet.cell(row=row, column=column, value=clean_text(value))
        cell.data_type = "s"
        return cell
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    return sheet.cell(row=row, column=column, value=value)


def _answer_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    return str(value or "")


def _meta(workbook, respondent: Respondent, revision: int) -> None:
    meta = workbook.create_sheet(META)
    values = [
        MARK,
        respondent.survey_id,
        respondent.survey.campaign.code,
        respondent.unit.code,
        respondent.survey.respondents,
        revision,
    ]
    for row, value in enumerate(values, start=1):
        _put(meta, row, 1, value)
    meta.sheet_state = "veryHidden"


def _guide(workbook, respondent: Respondent, lines: list[str]) -> None:
    guide = workbook.active
    guide.title = GUIDE
    guide.column_dimensions["A"].width = 110
    head = [
        f"Phiếu khảo sát: {respondent.survey.title}",
        f"Đơn vị: {respondent.unit.name} ({respondent.unit.code})",
        "",
    ]
    for row, line in enumerate(head + lines, start=1):
        _put(guide, row, 1, line).alignment = Alignment(wrap_text=True)
    guide["A1"].font = Font(bold=True, size=13)


def _header(sheet, headers: list[str], widths: list[int]) -> None:
    for index, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = _put(sheet, 1, index, header)
        cell.font = Font(bold=True)
        cell.fill = FIXED
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def form_xlsx(respondent: Respondent) -> bytes:
    """The answer form of `respondent` (its survey's kind decides which form)."""
    survey = respondent.survey
    questionnaire = Questionnaire.of(survey)
    workbook = openpyxl.Workbook()
    if survey.respondents == Survey.Respondents.PEOPLE:
        _worker_form(workbook, respondent, questionnaire)
    else:
        _unit_form(workbook, respondent, questionnaire)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _unit_form(workbook, respondent: Respondent, questionnaire: Questionnaire) -> None:
    response = answers.unit_response(respondent)
    stored = answers.initial_values(response)
    _guide(
        workbook,
        respondent,
        [
            "Cách điền:",
            f"1. Trang “{FORM}”: ghi câu trả lời của từng câu hỏi vào cột “{ANSWER}” (ô màu vàng),"
            f" theo chỉ dẫn ở cột “{HOW}”.",
            "2. Câu hỏi có điều kiện chỉ trả lời khi điều kiện đúng; nếu không, để trống.",
            "3. Không đổi tên trang tính, không sửa cột Mã câu hỏi, không dùng công thức.",
            "4. Lưu tệp và tải lên ở trang trả lời khảo sát của đơn vị. Nếu có lỗi, hệ thống chỉ "
            "rõ dòng và câu hỏi cần sửa và chưa ghi gì cho đến khi tệp hợp lệ.",
        ],
    )
    sheet = workbook.create_sheet(FORM)
    _header(sheet, [c.header for c in UNIT_COLUMNS], [14, 60, 50, 40])
    for row, question in enumerate(questionnaire.questions, start=2):
        values = [
            question.code,
            question.label,
            _how(questionnaire, question),
            _answer_text(stored.get(question.code)),
        ]
        for column, value in enumerate(values, start=1):
            cell = _put(sheet, row, column, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if column == 4:
                cell.fill = INPUT
                cell.number_format = TEXT_FORMAT
                cell.protection = Protection(locked=False)
            else:
                cell.fill = FIXED
    sheet.protection.sheet = True
    _meta(workbook, respondent, response.revision if response else 0)


def _worker_form(workbook, respondent: Respondent, questionnaire: Questionnaire) -> None:
    _guide(
        workbook,
        respondent,
        [
            "Cách điền:",
            f"1. Trang “{FORM}”: mỗi dòng là một phiếu của một người lao động. Cột “{NUMBER}” đã "
            "ghi sẵn số các phiếu chưa nhập, mỗi số một dòng: ghi câu trả lời của tờ phiếu vào "
            "dòng mang đúng số in trên tờ phiếu; dòng của phiếu không có trong tay thì để trống "
            "(dòng chỉ có số phiếu được bỏ qua).",
            f"2. Mỗi cột sau cột “{NUMBER}” là một câu hỏi, theo mã câu hỏi ở dòng đầu (xem trang "
            f"“{QUESTIONS}”). Câu hỏi có điều kiện chỉ trả lời khi điều kiện đúng; nếu không, "
            "để trống.",
            "3. Không ghi tên hay thông tin nào cho biết người trả lời. Không dùng công thức.",
            "4. Lưu tệp và tải lên ở trang nhập phiếu của đơn vị. Nếu có lỗi (kể cả số phiếu ghi "
            "hai lần, không có hoặc đã nhập), hệ thống chỉ rõ dòng và cột cần sửa và chưa ghi "
            "phiếu nào cho đến khi tệp hợp lệ.",
        ],
    )
    sheet = workbook.create_sheet(FORM)
    codes = [question.code for question in questionnaire.questions]
    _header(sheet, [NUMBER, *codes], [12] + [16] * len(codes))
    unused = tokens.unused_numbers(respondent)
    for row, number in enumerate(unused, start=2):
        _put(sheet, row, 1, number).fill = FIXED
        for column in range(2, len(codes) + 2):  # text cells: a date stays as typed
            sheet.cell(row=row, column=column).number_format = TEXT_FORMAT
    listing = workbook.create_sheet(QUESTIONS)
    _header(listing, [CODE, QUESTION, HOW], [16, 60, 60])
    for row, question in enumerate(questionnaire.questions, start=2):
        values = [question.code, question.label, _how(questionnaire, question)]
        for column, value in enumerate(values, start=1):
            _put(listing, row, column, value).alignment = Alignment(wrap_text=True, vertical="top")
    _meta(workbook, respondent, 0)


def _check_identity(respondent: Respondent, data: bytes) -> int:
    """The revision the form was made from; TableError when it is not this unit's form
    of this survey."""
    wrong = TableError(
        [
            RowError(
                None,
                None,
                _(
                    "This file is not the answer form of %(unit)s for the survey “%(survey)s”: "
                    "download the form from the unit's answer page."
                )
                % {"unit": respondent.unit.name, "survey": localized(respondent.survey, "title")},
            )
        ]
    )
    values = tabular.identity_cells(data, meta=META, sheets=[FORM], count=6)
    if values is None:
        raise wrong
    mark, survey_pk, campaign_code, unit_code, respondents, revision = values[:6]
    survey = respondent.survey
    if (
        mark != MARK
        or str(survey_pk) != str(survey.pk)
        or campaign_code != survey.campaign.code
        or unit_code != respondent.unit.code
        or respondents != survey.respondents
        or not isinstance(revision, int)
        or isinstance(revision, bool)
    ):
        raise wrong
    return revision


def _read(filename: str, data: bytes, columns: list[Column]) -> tuple[list[tabular.Row], list]:
    try:
        rows, errors = tabular.read_table(
            filename=filename, data=data, columns=columns, sheet_name=FORM
        )
    except TableError as error:
        raise TableError([replace(e, sheet=FORM) for e in error.errors]) from None
    return rows, [replace(error, sheet=FORM) for error in errors]


def _refuse_other_files(filename: str) -> None:
    if not filename.lower().endswith(".xlsx"):
        raise TableError([RowError(None, None, _("Upload the answer form as an .xlsx file."))])


def read_unit_form(*, respondent: Respondent, filename: str, data: bytes) -> tuple[dict, int]:
    """The answers a union's form holds (code -> cell value) and the revision it was
    made from; TableError lists every problem, each at its row."""
    _refuse_other_files(filename)
    revision = _check_identity(respondent, data)
    rows, errors = _read(filename, data, UNIT_COLUMNS)
    questionnaire = Questionnaire.of(respondent.survey)
    known = {question.code for question in questionnaire.questions}
    errors += [
        replace(e, sheet=FORM) for e in tabular.duplicate_errors(rows, key="code", header=CODE)
    ]
    values: dict[str, Any] = {}
    row_of: dict[str, int] = {}
    for row in rows:
        code = row.values.get("code") or ""
        if code not in known:
            if code:
                message = _("“%s” is not a question of this survey") % code[:60]
                errors.append(RowError(row.number, CODE, message, FORM))
            continue
        row_of.setdefault(code, row.number)
        values.setdefault(code, row.values.get("answer"))
    if not errors:
        _cleaned, problems = answers.check_values(questionnaire, values)
        errors += [
            RowError(row_of.get(problem.code or ""), ANSWER, problem.message, FORM)
            for problem in problems
        ]
    if errors:
        raise TableError(errors)
    return values, revision


def read_worker_form(
    *, respondent: Respondent, filename: str, data: bytes
) -> tuple[list[answers.Numbered], list[int]]:
    """The questionnaires a worker form holds, each with its number as written, one per
    row that has an answer (a row with only its number is a sheet not typed in), and
    the row each came from; TableError for a file that is not this unit's form or holds
    none. Their numbers and answers are checked when they are saved."""
    _refuse_other_files(filename)
    _check_identity(respondent, data)
    questionnaire = Questionnaire.of(respondent.survey)
    columns = [Column("number", NUMBER)] + [
        Column(question.code, question.code) for question in questionnaire.questions
    ]
    rows, _errors = _read(filename, data, columns)  # no column parses: nothing refused here
    filled = [
        row
        for row in rows
        if any(
            not answers.is_blank(row.values.get(question.code))
            for question in questionnaire.questions
        )
    ]
    if len(filled) > MAX_QUESTIONNAIRES:
        message = _("The file holds more than %d questionnaires: split it.") % MAX_QUESTIONNAIRES
        raise TableError([RowError(None, None, message, FORM)])
    if not filled:
        message = _(
            "The form holds no questionnaire: type each paper questionnaire in the row of "
            "the number printed on it."
        )
        raise TableError([RowError(None, None, message, FORM)])
    questionnaires: list[answers.Numbered] = [
        (
            row.values.get("number"),
            {question.code: row.values.get(question.code) for question in questionnaire.questions},
        )
        for row in filled
    ]
    return questionnaires, [row.number for row in filled]


def upload(*, respondent: Respondent, by: User, filename: str, data: bytes) -> list[Response]:
    """Save what a unit's form holds: the union's answer (amended), or each worker
    questionnaire as a new answer under its number. All or nothing: TableError places
    every problem at its row and column (a worker questionnaire's number missing,
    unknown, given twice or already in, an answer wrong); AnswerError refuses the whole
    (a form older than the answer saved since, a survey closed)."""
    if respondent.survey.respondents == Survey.Respondents.PEOPLE:
        questionnaires, row_of = read_worker_form(
            respondent=respondent, filename=filename, data=data
        )
        try:
            return answers.worker_answers_save(
                respondent=respondent,
                by=by,
                channel=Response.Channel.SPREADSHEET,
                questionnaires=questionnaires,
            )
        except AnswerError as error:
            if any(problem.index is None for problem in error.problems):
                raise
            raise TableError(
                [
                    RowError(
                        row_of[problem.index],
                        NUMBER if problem.of_number else problem.code,
                        problem.message,
                        FORM,
                    )
                    for problem in error.problems
                    if problem.index is not None
                ]
            ) from None
    values, revision = read_unit_form(respondent=respondent, filename=filename, data=data)
    return [
        answers.unit_answer_save(
            respondent=respondent,
            by=by,
            channel=Response.Channel.SPREADSHEET,
            values=values,
            revision=revision,
        )
    ]
