"""A 20-person workforce whose indicators are computed by hand in the tests."""

from __future__ import annotations

from needs import Employee


def employee(i: int) -> Employee:
    return Employee(
        row=i + 2,
        eta=25 if i in {0, 1, 2, 10, 11, 12} else 55 if i in {3, 4, 5, 13, 14, 15} else 40,
        genere="F" if i < 10 else "M" if i < 19 else "X",
        contratto="determinato" if i in {0, 6, 10, 15, 19} else "indeterminato",
        part_time=i in {0, 1, 2, 3, 4, 5, 10},
        figli_0_2=1 if i in {1, 2, 3, 4, 11} else 0,
        figli_3_5=1 if i in {1, 12} else 0,
        figli_6_13=2 if i in {5, 6, 7, 8, 13, 14, 16} else 0,
        figli_14_18=0,
        caregiver=i in {3, 4, 14},
        minuti_tragitto=46 if i < 5 else 45 if i in {5, 6} else 20,
        turni=i >= 4,
        sede="Torino" if i < 10 else "Asti",
        anzianita_anni=3,
    )


STAFF = [employee(i) for i in range(20)]
