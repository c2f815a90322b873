"""The suppression rule at its edges, and the protections against differencing."""

from __future__ import annotations

import itertools

import pytest

from needs import MIN_GROUP_SIZE, Cell, is_disclosive, protect, protect_partition, stable_cohort
from needs.suppression import check_k, population_large_enough, protect_nested

pytestmark = pytest.mark.unit
K = 5
N = 40


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, True),
        (1, False),
        (4, False),  # k-1 people: singles them out
        (5, True),  # k people: shown
        (N - 5, True),  # leaves exactly k outside
        (N - 4, False),  # leaves k-1 outside
        (N - 1, False),
        (N, True),  # everyone: nobody is left outside
    ],
)
def test_the_rule_at_its_edges(count: int, shown: bool) -> None:
    figure = protect(count, N, K)
    if shown:
        assert figure == {"count": count, "share": round(count / N, 4)}
    else:
        assert figure == {"suppressed": True}  # no count, no share


def test_a_larger_k_moves_the_edges() -> None:
    assert protect(9, 100, 10) == {"suppressed": True}
    assert protect(10, 100, 10) == {"count": 10, "share": 0.1}
    assert protect(91, 100, 10) == {"suppressed": True}


@pytest.mark.parametrize("k", [0, 1, 4])
def test_k_below_five_is_refused(k: int) -> None:
    assert MIN_GROUP_SIZE == 5
    with pytest.raises(ValueError, match="at least 5"):
        check_k(k)
    with pytest.raises(ValueError, match="at least 5"):
        protect(10, 20, k)


def test_a_count_beyond_its_denominator_is_a_bug() -> None:
    with pytest.raises(ValueError, match="between 0 and the denominator"):
        is_disclosive(6, 5, K)


def test_one_withheld_cell_of_a_partition_takes_the_next_smallest_with_it() -> None:
    sites = {"A": Cell(20, 50), "B": Cell(3, 30), "C": Cell(9, 40), "D": Cell(15, 60)}
    published = protect_partition(sites, K)
    assert published["B"] == {"suppressed": True}  # primary: 3 people
    assert published["C"] == {"suppressed": True}  # secondary: the next smallest
    assert published["A"]["count"] == 20 and published["D"]["count"] == 15
    # the total (47) minus what is shown leaves 12 people over two cells: nobody isolated
    assert 47 - 20 - 15 == 12 >= K


def test_secondary_suppression_continues_until_the_pool_passes_the_rule() -> None:
    cells = {"A": Cell(1, 20), "B": Cell(2, 20), "C": Cell(30, 40), "D": Cell(25, 30)}
    published = protect_partition(cells, K)
    # 1 + 2 = 3 people withheld would still be recoverable as a group of 3: C or D joins
    withheld = {key for key, figure in published.items() if "count" not in figure}
    assert {"A", "B"} < withheld and len(withheld) == 3


def test_a_zero_cell_is_withheld_rather_than_pointing_at_where_the_few_are() -> None:
    cells = {"A": Cell(0, 30), "B": Cell(3, 30), "C": Cell(0, 30)}
    published = protect_partition(cells, K)
    # the whole counts 3 people: every cell is withheld, so none says "they are in B"
    assert all(figure == {"suppressed": True} for figure in published.values())


def test_hidden_cells_are_never_published_but_are_protected() -> None:
    ages = {"young": Cell(20, 40), "middle": Cell(3, 40), "old": Cell(17, 40)}
    published = protect_partition(ages, K, shared_denominator=True, hidden=("middle",))
    assert set(published) == {"young", "old"}
    # 40 - 20 - 17 would reveal the 3 in the middle band: the smaller neighbour goes
    assert published["old"] == {"suppressed": True}
    assert published["young"] == {"count": 20, "share": 0.5}


def test_no_subtraction_of_published_cells_isolates_fewer_than_k() -> None:
    """Exhaustively over small partitions: whatever is shown, the rest is a safe group."""
    for counts in itertools.product(range(0, 9), repeat=3):
        cells = {f"s{i}": Cell(c, 12) for i, c in enumerate(counts)}
        published = protect_partition(cells, K)
        withheld = [key for key, figure in published.items() if "count" not in figure]
        recovered = sum(cells[key].count for key in withheld)
        pool = 12 * len(withheld)
        if len(withheld) == len(cells):
            continue  # everything withheld: at most the whole is known, no cell is
        assert not withheld or not is_disclosive(recovered, pool, K), counts
        assert len(withheld) != 1, counts


def test_a_nested_pair_withholds_the_part_when_the_difference_is_small() -> None:
    figures = {"part_time": protect(30, 100, K), "women_part_time": protect(27, 40, K)}
    protect_nested(figures, "part_time", "women_part_time", Cell(30 - 27, 100 - 40), K)
    assert figures["women_part_time"] == {"suppressed": True}
    figures = {"part_time": protect(40, 100, K), "women_part_time": protect(27, 40, K)}
    protect_nested(figures, "part_time", "women_part_time", Cell(40 - 27, 100 - 40), K)
    assert figures["women_part_time"]["count"] == 27


def test_reports_need_twice_k_people() -> None:
    assert not population_large_enough(9, K)
    assert population_large_enough(10, K)


def test_the_interview_cohort_grows_by_k_so_two_reports_never_differ_by_one() -> None:
    rows = list(range(23))
    assert stable_cohort(rows, K) == list(range(20))
    assert stable_cohort(rows[:21], K) == stable_cohort(rows[:24], K)
    assert stable_cohort(rows[:4], K) == []
