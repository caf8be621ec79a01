"""IIN/BIN check digits and IBANs: properties over every input, and known real numbers."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban

from tizim.customers.identifiers import (
    iban_check_digits,
    iban_is_valid,
    iin_check_digit,
    iin_info,
    iin_is_valid,
    make_bin,
    make_iban,
    make_iin,
)

digits11 = st.text(alphabet="0123456789", min_size=11, max_size=11)
births = st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31))
kz_bban = st.tuples(
    st.text(alphabet="0123456789", min_size=3, max_size=3),
    st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=13, max_size=13),
).map("".join)


def test_known_iins() -> None:
    # A sample IIN often quoted in Kazakh documentation, and the same with a wrong last digit.
    assert iin_is_valid("860904350504")
    assert not iin_is_valid("860904350505")
    info = iin_info("860904350504")
    assert info is not None and info.birth_date == date(1986, 9, 4) and info.sex == "M"
    assert not iin_is_valid("86090435050")  # 11 digits
    assert not iin_is_valid("86090435050a")
    assert not iin_is_valid("８６０９０４３５０５０４")  # full-width digits are not ASCII digits


def test_second_weights_used_when_first_sum_is_ten() -> None:
    # A 1 in the tenth place: weight 10 gives 10, so the second weights apply (1 there).
    head = "00000000010"
    assert iin_check_digit(head) == 1
    assert iin_is_valid(head + "1") and not iin_is_valid(head + "0")
    head = "10000000010"  # 1 + 10 = 11 -> 0 with the first weights
    assert iin_check_digit(head) == 0
    # 10 with both weight sets: never issued.
    never = next(
        f"{n:011d}" for n in range(10**6) if iin_check_digit(f"{n:011d}") is None
    )
    assert all(not iin_is_valid(never + str(d)) for d in range(10))


@given(digits11)
def test_exactly_one_check_digit_or_none(head: str) -> None:
    valid = [d for d in range(10) if iin_is_valid(head + str(d))]
    check = iin_check_digit(head)
    assert valid == ([] if check is None else [check])


@given(digits11)
def test_agrees_with_the_afm_importer(head: str) -> None:
    # The AFM list importer checks listed persons' IINs with its own copy of the rule.
    from tizim.registry.importers.kz_afm import iin_check_digit as afm_check_digit

    assert iin_check_digit(head) == afm_check_digit(head)


@given(digits11, st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11]), st.integers(1, 9))
def test_a_changed_digit_is_caught(head: str, pos: int, delta: int) -> None:
    check = iin_check_digit(head)
    if check is None:
        return
    number = head + str(check)
    changed = number[:pos] + str((int(number[pos]) + delta) % 10) + number[pos + 1 :]
    # Weights 1..10 are nonzero modulo 11, so one wrong digit in the first ten places moves
    # the first sum; it shows unless either sum is 10 (then the second weights decide, which
    # may agree by chance). The eleventh digit weighs 11 = 0: the algorithm cannot see it.
    def first_sum(digits: str) -> int:
        return sum((i + 1) * int(c) for i, c in enumerate(digits[:11])) % 11

    if pos == 11:  # the check digit itself
        assert not iin_is_valid(changed)
        return
    assert first_sum(changed) != first_sum(number)
    if first_sum(number) != 10 and first_sum(changed) != 10:
        assert not iin_is_valid(changed)


@given(births, st.sampled_from(["M", "F"]), st.integers(0, 9999))
def test_make_iin_reads_back(born: date, sex: str, serial: int) -> None:
    iin = make_iin(born, sex, serial)
    if iin is None:
        century = 1 + 2 * ((born.year - 1800) // 100) + (sex == "F")
        assert iin_check_digit(f"{born.year % 100:02d}{born:%m%d}{century}{serial:04d}") is None
        return
    assert iin_is_valid(iin)
    info = iin_info(iin)
    assert info is not None
    assert (info.kind, info.birth_date, info.sex) == ("person", born, sex)
    assert iin[7:11] == f"{serial:04d}"


@given(st.integers(1990, 2025), st.integers(1, 12), st.sampled_from([4, 5, 6]),
       st.integers(0, 3), st.integers(0, 99999))
def test_make_bin_reads_back(year: int, month: int, kind: int, attr: int, serial: int) -> None:
    bin_ = make_bin(year, month, kind, attr, serial)
    if bin_ is None:
        assert iin_check_digit(f"{year % 100:02d}{month:02d}{kind}{attr}{serial:05d}") is None
        return
    info = iin_info(bin_)
    assert info is not None
    assert (info.kind, info.registered, info.entity_type) == (
        "organization", f"{year}-{month:02d}", kind
    )


def test_impossible_structure_is_no_info() -> None:
    head = "851332" + "3" + "0001"  # month 13
    check = iin_check_digit(head)
    if check is not None:
        assert iin_is_valid(head + str(check)) and iin_info(head + str(check)) is None


def test_known_ibans() -> None:
    assert iban_is_valid("KZ86125KZT5004100100")  # the registry's Kazakh example
    assert iban_is_valid("kz86 125k zt50 0410 0100")
    assert not iban_is_valid("KZ87125KZT5004100100")
    assert not iban_is_valid("KZ86125KZT500410010")  # one character short
    assert not iban_is_valid("KZ86A25KZT5004100100")  # bank code must be digits
    assert iban_is_valid("DE89370400440532013000")
    assert iban_is_valid("GB82WEST12345698765432")
    assert not iban_is_valid("")
    assert iban_check_digits("KZ", "125KZT5004100100") == "86"


@given(kz_bban)
def test_make_iban_agrees_with_stdnum(bban: str) -> None:
    iban = make_iban("KZ", bban)
    assert len(iban) == 20
    assert iban_is_valid(iban)
    assert stdnum_iban.is_valid(iban)


@given(kz_bban, st.integers(4, 19), st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
def test_iban_single_change_caught(bban: str, pos: int, char: str) -> None:
    iban = make_iban("KZ", bban)
    changed = iban[:pos] + char + iban[pos + 1 :]
    assert iban_is_valid(changed) == (changed == iban) or stdnum_iban.is_valid(changed)
    # Our verdict is stdnum's on anything a typo makes of a valid number.
    assert iban_is_valid(changed) == stdnum_iban.is_valid(changed)
