"""`paginate`, the one page-by-page helper of the browser pages, and the pager include."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from driftwood.core.pagination import MAX_PAGE
from driftwood.core.paging import page_number, paginate

ROWS = list(range(1, 26))  # 25 rows: pages of 10 are 1-10, 11-20, 21-25


def get(query: dict | None = None):
    return RequestFactory().get("/list/", query or {})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, 1),
        ("", 1),
        ("abc", 1),
        ("-1", 1),
        ("0", 1),
        ("+2", 1),
        (" 2", 1),
        ("2.5", 1),
        ("\u0662", 1),  # an Arabic-Indic 2: digits of other scripts are not page numbers
        ("2", 2),
        ("002", 2),
        (str(MAX_PAGE), MAX_PAGE),
        (str(MAX_PAGE + 1), MAX_PAGE),
        ("9" * 40, MAX_PAGE),  # keeps OFFSET inside PostgreSQL's bigint
    ],
)
def test_page_numbers_are_whole_numbers_from_one_to_the_cap(raw, expected):
    assert page_number(raw) == expected


def test_the_first_page_links_only_forward():
    page = paginate(get(), ROWS, 10)

    assert (page.items, page.number) == (ROWS[:10], 1)
    assert (page.has_previous, page.previous_url) == (False, "")
    assert (page.has_next, page.next_url) == (True, "?page=2")


def test_a_middle_page_links_both_ways():
    page = paginate(get({"page": "2"}), ROWS, 10)

    assert page.items == ROWS[10:20]
    assert (page.previous_url, page.next_url) == ("?page=1", "?page=3")


def test_the_last_page_links_only_back():
    page = paginate(get({"page": "3"}), ROWS, 10)

    assert page.items == ROWS[20:]
    assert (page.has_next, page.next_url) == (False, "")
    assert page.previous_url == "?page=2"


def test_a_full_last_page_has_no_next_page():
    page = paginate(get({"page": "2"}), ROWS[:20], 10)

    assert page.items == ROWS[10:20]
    assert not page.has_next


@pytest.mark.parametrize("raw", ["abc", "-1", ""])
def test_an_unreadable_page_is_the_first(raw):
    page = paginate(get({"page": raw}), ROWS, 10)

    assert (page.number, page.items) == (1, ROWS[:10])


def test_a_page_past_the_end_is_empty_and_links_back():
    page = paginate(get({"page": "99999999999999999999"}), ROWS, 10)

    assert (page.number, page.items, page.has_next) == (MAX_PAGE, [], False)
    assert page.previous_url == f"?page={MAX_PAGE - 1}"


def test_other_query_parameters_survive_in_the_links():
    page = paginate(get({"type": "prize", "search": "a&b", "game": ["x", "y"], "page": "2"}), ROWS, 10)

    assert page.previous_url == "?type=prize&search=a%26b&game=x&game=y&page=1"
    assert page.next_url == "?type=prize&search=a%26b&game=x&game=y&page=3"


def test_the_page_parameter_is_added_after_the_others_when_missing():
    page = paginate(get({"type": "prize"}), ROWS, 10)

    assert page.next_url == "?type=prize&page=2"


def test_the_pager_include_renders_the_links_and_labels():
    page = paginate(get({"type": "prize", "page": "2"}), ROWS, 10)

    html = render_to_string(
        "core/_pager.html",
        {"page": page, "label": "History pages", "previous_label": "Newer", "next_label": "Older", "anchor": "#h"},
    )

    assert '<nav class="pager" aria-label="History pages">' in html
    assert 'href="?type=prize&amp;page=1#h" rel="prev">Newer</a>' in html
    assert '<span class="pager-current" aria-current="page">Page 2</span>' in html
    assert 'href="?type=prize&amp;page=3#h" rel="next">Older</a>' in html


def test_the_pager_include_defaults_to_previous_and_next_and_hides_a_single_page():
    two = render_to_string("core/_pager.html", {"page": paginate(get(), ROWS, 10), "label": "Pages"})
    one = render_to_string("core/_pager.html", {"page": paginate(get(), ROWS[:5], 10), "label": "Pages"})
    none = render_to_string("core/_pager.html", {"page": None, "label": "Pages"})

    assert 'href="?page=2" rel="next">Next</a>' in two and 'rel="prev"' not in two
    assert "pager" not in one
    assert "pager" not in none
