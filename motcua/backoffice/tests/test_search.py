"""The back-office search (/mot-cua/tim-kiem/) and the queue's filters, sorting and paging
(issue 10 item 3), through Django's test client.

Found by code (whole or part), applicant name without diacritics, phone and ID number; only
among the dossiers of the user's units; filtered by status, procedure, channel and due
state (the end-of-day list's); sorted; paged with a fixed number of queries; bad parameters
answered with the form's Vietnamese message and a 400.
"""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.accounts.models import User
from motcua.backoffice.selectors import DossierFilter, Due, dossier_search, due_windows
from motcua.catalog.models import search_key
from motcua.catalog.selectors import procedure_in_force
from motcua.dossiers.choices import Channel, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, Component, dossier_create
from motcua.reports.dashboard import end_of_day
from motcua.units.models import Agency

# The module's fixtures and helpers: the demo's staff, a dossier received at the city desk.
from .test_views import (  # noqa: F401  (staff is a fixture)
    CITY_PROCEDURE,
    a_week_ago,
    client_for,
    receive_at_counter,
    staff,
    submit_online,
    transfer,
)

SEARCH = "/mot-cua/tim-kiem/"


@pytest.fixture
def clerk(staff, db):  # noqa: F811
    return client_for("motcua.thanhpho")


def received(name: str = "Nguyễn Văn An", phone: str = "", id_number: str = "") -> Dossier:
    version = procedure_in_force(CITY_PROCEDURE, timezone.localdate())
    return dossier_create(
        procedure=version,
        receiving_agency=Agency.objects.get(code="BPMC-058"),
        channel=Channel.DIRECT,
        applicant=Applicant(name=name, phone=phone, id_number=id_number),
        components=[Component(name="Tờ khai theo mẫu quy định", originals=1)],
        actor=User.objects.get(username="motcua.thanhpho"),
        at=a_week_ago(),
    ).dossier


def codes(response) -> list[str]:
    return [row.dossier.code for row in response.context["rows"]]


def bitmap_plan(query) -> str:
    """PostgreSQL's plan for ``query`` with only bitmap scans left: a whole-index scan in the
    list's order, or a sequential scan, can win on a table this small, depending on when
    autovacuum last counted its rows."""
    with connection.cursor() as cursor:
        for scan in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        return query.explain()


def test_the_search_page_is_in_the_desk_menu_and_lists_nothing_until_asked(clerk):
    page = clerk.get("/mot-cua/hang-doi/").content.decode()
    assert f'href="{SEARCH}"' in page
    received()
    response = clerk.get(SEARCH)
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert response.context["searched"] is False


def test_a_name_typed_without_diacritics_finds_the_dossier(clerk):
    wanted = received("Nguyễn Văn An")
    other = received("Trần Thị Bình")
    for typed in ("nguyen van an", "NGUYEN an", "Nguyễn Văn An", "van an"):
        response = clerk.get(SEARCH, {"q": typed})
        assert response.status_code == 200
        assert codes(response) == [wanted.code], typed
        assert f'data-code="{other.code}"' not in response.content.decode()
    assert wanted.search_text == Dossier.objects.get(pk=wanted.pk).search_text != ""


def test_a_code_whole_or_in_part_finds_the_dossier(clerk):
    wanted = received()
    received()
    assert codes(clerk.get(SEARCH, {"q": wanted.code})) == [wanted.code]
    tail = wanted.code[-11:]  # yymmdd-NNNN: the part a clerk reads off a receipt
    assert wanted.code in codes(clerk.get(SEARCH, {"q": tail.lower()}))


def test_a_word_that_begins_a_code_is_found_on_the_codes_index_and_finds_the_same(clerk):
    """A whole code, or its beginning from the agency's identifier, is looked for at the start
    of codes (the codes' index: on the search text's trigram index a province's "000" and
    "h55" are in every dossier, 600 ms at 10 M, issue 17), and finds what ``LIKE '%word%'``
    finds; a part of the identifier, or one another agency's holds, is looked for anywhere."""
    from motcua.dossiers.selectors import code_starts, with_words

    wanted, other = received(), received()
    agency = wanted.receiving_agency
    identifier = agency.electronic_code
    assert identifier
    assert wanted.code.startswith(f"{identifier}-")
    everything = Dossier.objects.all()
    day = wanted.code.split("-")[1]
    for typed in (wanted.code, wanted.code.lower(), wanted.code[:-1], f"{identifier}-{day}",
                  f"{identifier.lower()}-", identifier):  # fmt: skip
        word = search_key(typed)
        assert code_starts(word) == [identifier + word[len(identifier) :]], typed
        query = with_words(everything, [word], units=[wanted.receiving_unit_id])
        assert "search_text" not in str(query.query).split(" WHERE ")[1], typed
        plain = set(everything.filter(search_text__contains=word).values_list("pk", flat=True))
        assert set(query.values_list("pk", flat=True)) == plain, typed
    assert codes(clerk.get(SEARCH, {"q": wanted.code.lower()})) == [wanted.code]
    assert codes(clerk.get(SEARCH, {"q": f"{wanted.code} an"})) == [wanted.code]
    assert code_starts(search_key(wanted.code[3:14])) is None  # a part of the identifier
    assert code_starts("nguyen") is None
    assert code_starts("0912.345.678") is None  # no agency's identifier
    # An identifier that another agency's holds is not the start of every code it is in.
    Agency.objects.create(
        code="BPMC-X", name="X", kind=agency.kind, unit=agency.unit,
        electronic_code=f"9{identifier}",
    )  # fmt: skip
    assert code_starts(search_key(wanted.code)) is None
    assert codes(clerk.get(SEARCH, {"q": wanted.code})) == [wanted.code]
    assert other.code not in codes(clerk.get(SEARCH, {"q": wanted.code}))


def test_a_phone_in_any_usual_form_and_an_id_number_find_the_dossier(clerk):
    wanted = received("Lò Văn Cường", phone="0912 345 678", id_number="006090001234")
    received("Lò Văn Dũng", phone="0987654321")
    for typed in ("0912345678", "0912 345 678", "0912.345.678", "+84912345678", "345678"):
        assert codes(clerk.get(SEARCH, {"q": typed})) == [wanted.code], typed
    assert codes(clerk.get(SEARCH, {"q": "006090001234"})) == [wanted.code]
    # A name and a phone together narrow: every word must match.
    assert codes(clerk.get(SEARCH, {"q": "cuong 0912345678"})) == [wanted.code]
    assert codes(clerk.get(SEARCH, {"q": "dung 0912345678"})) == []


def test_a_ward_clerk_never_finds_another_units_dossier(staff, db):  # noqa: F811
    city = received("Nguyễn Văn An", phone="0912345678")
    ward = client_for("motcua.ducxuan")
    for typed in (city.code, "nguyen van an", "0912345678"):
        response = ward.get(SEARCH, {"q": typed})
        assert response.status_code == 200
        assert response.context["rows"] == []
        assert f'data-code="{city.code}"' not in response.content.decode()
    everything = ward.get("/mot-cua/hang-doi/", {"all": "1", "q": city.code})
    assert everything.context["rows"] == []
    # The selector itself, whatever the filters: the ward's scope only.
    user = User.objects.get(username="motcua.ducxuan")
    windows = due_windows(user, timezone.now())
    assert not dossier_search(user, DossierFilter(q=city.code), windows=windows).whole.exists()


def test_results_page_by_25_with_links_that_keep_the_filters(clerk):
    made = [received(f"Người thứ {i}", phone="0912000111") for i in range(30)]
    first = clerk.get(SEARCH, {"q": "0912000111", "sort": "code"})
    assert len(first.context["rows"]) == 25
    # Keyset pages (motcua.lib.paging): no count of the whole list, the page's number only.
    assert '<h2 id="results-title">Hồ sơ tìm thấy</h2>' in first.content.decode()
    assert '<span id="page-number">Trang 1</span>' in first.content.decode()
    assert codes(first) == sorted(d.code for d in made)[:25]
    next_link = first.context["links"]["next"]
    assert "q=0912000111" in next_link
    assert "sort=code" in next_link
    assert "cursor=" in next_link
    assert "page=" not in next_link
    second = clerk.get(SEARCH + next_link)
    assert codes(second) == sorted(d.code for d in made)[25:]
    assert '<span id="page-number">Trang 2</span>' in second.content.decode()
    assert "next" not in second.context["links"]
    # Back to the first page: its address has no cursor, the filters are kept.
    previous = second.context["links"]["previous"]
    assert "cursor=" not in previous
    assert codes(clerk.get(SEARCH + previous)) == codes(first)
    # A cursor of another sort is not one of this list's: 400 naming the parameter.
    wrong = clerk.get(SEARCH + next_link.replace("sort=code", "sort=due"))
    assert wrong.status_code == 400
    assert wrong.context["form"].errors["cursor"][0].startswith("cursor: ")


def test_a_page_costs_the_same_queries_with_5_or_30_results(clerk, django_assert_max_num_queries):
    for i in range(30):
        received(f"Người thứ {i}", phone="0912000222" if i < 5 else "0912000333")
    clerk.get(SEARCH, {"q": "warm-up"})  # the calendar and the catalogue read once a process
    counts = []
    for phone in ("0912000222", "0912000333", "0912000222"):
        with CaptureQueriesContext(connection) as queries:
            response = clerk.get(SEARCH, {"q": phone, "sort": "due"})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts
    with django_assert_max_num_queries(15):
        clerk.get(SEARCH, {"q": "0912000333"})
    officer = client_for("xuly.tuphap")
    with django_assert_max_num_queries(15):
        officer.get("/mot-cua/hang-doi/", {"all": "1"})


def test_filters_by_status_channel_and_procedure(clerk):
    direct = received("Nguyễn Văn An")
    online = submit_online()
    moved = transfer(received("Nguyễn Văn An"))
    every = {"q": "", "sort": "code"}
    by_channel = codes(clerk.get(SEARCH, every | {"channel": Channel.ONLINE}))
    assert online.code in by_channel
    assert direct.code not in by_channel
    by_status = codes(clerk.get(SEARCH, every | {"status": Status.RECEIVED}))
    assert direct.code in by_status
    assert moved.code not in by_status
    assert online.code not in by_status
    by_procedure = codes(clerk.get(SEARCH, every | {"procedure": CITY_PROCEDURE}))
    assert {direct.code, online.code, moved.code} <= set(by_procedure)


def test_a_procedure_is_filtered_by_its_versions_ids_which_the_statistics_describe(clerk):
    """The planner chooses how to read a procedure's dossiers from its share of them: by
    the versions' ids (``procedure_versions``), whose share its statistics hold for every
    version of a province's catalogue (dossiers migration 0033), not by a join on the code,
    which it gave the average share (a rare procedure's search page: 1,3 s at 10 M, issue
    17). The ids are read once for the list's parts."""
    from motcua.dossiers.selectors import procedure_versions

    direct = received()
    version = procedure_in_force(CITY_PROCEDURE, timezone.localdate())
    versions = procedure_versions(f" {CITY_PROCEDURE} ")
    assert version.pk in versions
    assert set(versions) == set(version.procedure.versions.values_list("pk", flat=True))
    assert procedure_versions("no-such-code") == []
    with CaptureQueriesContext(connection) as queries:
        found = codes(clerk.get(SEARCH, {"procedure": CITY_PROCEDURE}))
    assert direct.code in found
    statements = [q["sql"] for q in queries.captured_queries]
    by_code = '"catalog_procedure"."code" ='
    versions_read = [sql for sql in statements if by_code in sql and "procedureversion" in sql]
    assert len(versions_read) == 1  # once for the list's parts
    assert not any(by_code in sql and "dossiers_dossier" in sql for sql in statements)
    assert any('"procedure_version_id" IN (' in sql for sql in statements)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT attstattarget FROM pg_attribute WHERE attname = 'procedure_version_id'"
                " AND attrelid = 'dossiers_dossier'::regclass"
            )
            assert cursor.fetchone()[0] == 2500


def test_the_due_filters_are_the_end_of_day_lists(clerk):
    """Overdue, due today and due on the next working day select exactly the end-of-day
    list's dossiers (reports.dashboard.end_of_day), at any moment."""
    dossiers = [transfer(received(f"Người {i}")) for i in range(3)]
    user = User.objects.get(username="motcua.thanhpho")
    unit = dossiers[0].receiving_unit
    due = dossiers[0].effective_due_at
    for at in (due - timedelta(days=1), due - timedelta(hours=1), due + timedelta(hours=1)):
        windows = due_windows(user, at)
        lists = end_of_day(unit, at=at)
        for state, expected in (
            (Due.OVERDUE, lists.overdue),
            (Due.TODAY, lists.due_today),
            (Due.NEXT, lists.due_next),
        ):
            found = dossier_search(user, DossierFilter(due=state, sort="due"), windows=windows)
            assert [d.code for d in found.whole] == [d.code for d in expected], (state, at)


def test_the_queue_filters_sorts_and_pages_like_the_search(staff, db):  # noqa: F811
    officer = client_for("xuly.tuphap")
    made = [transfer(received(f"Người {i}", phone="0912000444")) for i in range(27)]
    response = officer.get("/mot-cua/hang-doi/", {"q": "0912000444", "sort": "code"})
    assert response.status_code == 200
    assert codes(response) == sorted(d.code for d in made)[:25]
    following = officer.get("/mot-cua/hang-doi/" + response.context["links"]["next"])
    assert codes(following) == sorted(d.code for d in made)[25:]
    overdue_later = officer.get("/mot-cua/hang-doi/", {"due": "overdue"})
    assert overdue_later.status_code == 200
    page = officer.get("/mot-cua/hang-doi/", {"due": "today"}).content.decode()
    assert 'id="id_due"' in page


CURSOR_MESSAGE = (
    "cursor: đây không phải là một vị trí trong danh sách này; hãy bắt đầu lại từ trang đầu."
)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"status": "bogus"}, "status", "Trạng thái: “bogus” không nằm trong các lựa chọn."),
        ({"channel": "fax"}, "channel", "Hình thức nộp: “fax” không nằm trong các lựa chọn."),
        ({"due": "yesterday"}, "due", "Hạn xử lý: “yesterday” không nằm trong các lựa chọn."),
        ({"sort": "name"}, "sort", "Sắp xếp theo: “name” không nằm trong các lựa chọn."),
        ({"cursor": "garbage"}, "cursor", CURSOR_MESSAGE),
        ({"cursor": "WyJ4Il0:1:x"}, "cursor", CURSOR_MESSAGE),
        ({"procedure": "9.999999"}, "procedure", "Mã thủ tục: không có thủ tục 9.999999."),
        (
            {"q": "x" * 300},
            "q",
            "Mã hồ sơ, họ tên, số điện thoại hoặc số định danh: tối đa 200 ký tự.",
        ),
    ],
)
@pytest.mark.parametrize("url", [SEARCH, "/mot-cua/hang-doi/"])
def test_bad_parameters_are_a_400_with_the_fields_message(clerk, url, params, field, message):
    response = clerk.get(url, params)
    assert response.status_code == 400
    assert response.context["rows"] == []
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()


def test_the_migration_fills_the_column_of_stored_dossiers(clerk):
    wanted = received("Đặng Thị Ánh", phone="0912345678", id_number="006090001234")
    # As an older import may have stored it: the phone as typed.
    Dossier.objects.filter(pk=wanted.pk).update(search_text="", applicant_phone="+84 912 345 678")
    migration = importlib.import_module("motcua.dossiers.migrations.0006_dossier_search_text")

    class Editor:  # what RunPython hands the function: the connection it migrates
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    from django.apps import apps

    migration.fill(apps, editor)
    stored = Dossier.objects.get(pk=wanted.pk).search_text
    assert stored == f"{wanted.code.lower()} dang thi anh 0912345678 006090001234"
    assert codes(clerk.get(SEARCH, {"q": "dang thi anh"})) == [wanted.code]


@pytest.mark.postgres_only
def test_postgresql_can_answer_a_search_word_from_the_trigram_index(clerk):
    """The search's ``LIKE '%word%'`` is served by migration 0006's trigram index, not only by
    a scan (the planner is told to avoid scans, since a test table is too small to prefer it)."""
    received("Nguyễn Văn An")
    # The word's condition as the search writes it (dossier_filter), alone: with the scope
    # too, the planner may as well start from the unit's index on a table this small.
    query = Dossier.objects.filter(search_text__contains="nguyen")
    assert "dossier_search_trgm" in bitmap_plan(query)


@pytest.mark.postgres_only
def test_a_search_within_few_units_reads_the_per_unit_index_and_finds_the_same(clerk):
    """Within a commune's few units the words are looked up on migration 0021's per-unit
    trigram index (the province's lists of "ngu" hold millions of names, issue 17); what it
    finds is what ``LIKE '%word%'`` finds, for whole words, parts of words and of codes,
    digits, words across two names and words under three letters, through the receiving and
    the handling unit."""
    from motcua.dossiers.selectors import with_words

    made = [
        received("Nguyễn Văn An", phone="0912345678", id_number="006090001234"),
        received("Nguyễn Thị Lan"),
        received("Đặng Văn Nguyên"),
        received("Lê Anh", phone="+84 203 3870 111"),
    ]
    handled = transfer(received("Hoàng Văn Thụ"))
    assert handled.handling_unit_id is not None
    everything = Dossier.objects.filter(pk__in=[d.pk for d in [*made, handled]])
    units = {d.receiving_unit_id for d in made} | {handled.handling_unit_id}
    code = made[0].code.lower()
    searches = [
        ["nguyen"], ["guye"], ["nguyen", "van"], ["van", "an"], ["an"], ["n"], ["thu"],
        ["0912345678"], ["23456"], ["02033870111"], ["006090001234"], [code], [code[3:14]],
        [code[-8:]], ["nguyen", "khong-co"], ["xyz"], ["hoang van thu"],
    ]  # fmt: skip
    for words in searches:
        plain = set(with_words(everything, words).values_list("pk", flat=True))
        by_unit = set(with_words(everything, words, units=units).values_list("pk", flat=True))
        assert by_unit == plain, words
    assert set(
        with_words(everything, ["hoang"], units={handled.handling_unit_id}).values_list(
            "pk", flat=True
        )
    ) == {handled.pk}
    plan = bitmap_plan(with_words(Dossier.objects.all(), ["nguyen"], units=units))
    assert "dossier_unit_search_trgm" in plan
    assert "dossier_search_trgm" not in plan


def test_a_phone_or_an_id_number_is_looked_up_on_its_grams_of_digits(clerk):
    """A run of seven digits or more is found on migration 0034's index of six-digit grams
    (a province leader's phone search read 858 pages of the trigram index at 10 M dossiers,
    issue 17), in any scope; what it finds is what ``LIKE '%word%'`` finds: whole and parts of
    phones and ID numbers, never across two of them, and with other words."""
    from motcua.dossiers.selectors import digit_grams, with_words

    made = [
        received("Nguyễn Văn An", phone="0912345678", id_number="006090001234"),
        received("Nguyễn Thị Lan", phone="0912345679"),
        received("Lê Anh", phone="+84 203 3870 111"),
    ]
    everything = Dossier.objects.filter(pk__in=[d.pk for d in made])
    searches = [
        ["0912345678"], ["091234567"], ["9123456"], ["006090001234"], ["60900012"],
        ["02033870111"], ["2033870"], ["678006090"], ["0912345670"], ["nguyen", "0912345679"],
        ["lan", "0912345678"], ["0912345", "006090001234"],
    ]  # fmt: skip
    for words in searches:
        wanted = {d.pk for d in made if all(w in d.search_text for w in words)}
        found = set(with_words(everything, words).values_list("pk", flat=True))
        assert found == wanted, words
    assert codes(clerk.get(SEARCH, {"q": "0912345679"})) == [made[1].code]
    assert digit_grams("0912345678") == [91234, 345678]
    assert digit_grams("006090001234") == [1234, 6090]
    assert digit_grams("1234567") == [123456, 234567]
    assert digit_grams("123456") is None
    assert digit_grams("09a1234567") is None
    if connection.vendor == "postgresql":
        plan = bitmap_plan(with_words(Dossier.objects.all(), ["0912345678"]))
        assert "dossier_digit_grams" in plan
        assert "dossier_search_trgm" not in plan


def test_a_word_s_trigrams_are_those_inside_its_runs_of_letters_and_digits():
    from motcua.dossiers.selectors import inner_trigrams

    assert inner_trigrams("nguyen") == ["guy", "ngu", "uye", "yen"]
    assert inner_trigrams("an") == []
    assert inner_trigrams("h12.22-2412") == ["241", "412", "h12"]


def test_the_online_list_pages_by_25_oldest_first(clerk):
    made = [submit_online() for _ in range(27)]
    assert "27 hồ sơ trực tuyến chờ tiếp nhận" in clerk.get("/mot-cua/").content.decode()
    first = clerk.get("/mot-cua/truc-tuyen/")
    shown = [d.code for d, _actions in first.context["rows"]]
    assert len(shown) == 25
    assert list(first.context["links"]) == ["next"]
    second = clerk.get("/mot-cua/truc-tuyen/" + first.context["links"]["next"])
    shown += [d.code for d, _actions in second.context["rows"]]
    assert sorted(shown) == sorted(d.code for d in made)
    assert len(set(shown)) == 27
    bad = clerk.get("/mot-cua/truc-tuyen/?cursor=garbage")
    assert bad.status_code == 400
    assert CURSOR_MESSAGE in bad.content.decode()
