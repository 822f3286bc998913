"""Recency, frequency and monetary value per customer from a transactions table."""

from __future__ import annotations

from dashboard.errors import FieldError
from model_store.lazy import lazy_module

pd = lazy_module("pandas")


def rfm(frame: pd.DataFrame, customer: str, date: str, amount: str) -> pd.DataFrame:
    """One row per customer: days from their last purchase to the day after the last date in the data,
    the number of transactions, and the total amount. Errors name the mapping field."""
    for field, column in (("customer", customer), ("date", date), ("amount", amount)):
        if not column or column not in frame.columns:
            raise FieldError(field, f"map the {field} to a column of this dataset")
    if len({customer, date, amount}) < 3:
        raise FieldError("mapping", "customer, date and amount must be three different columns")
    when = frame[date]
    if pd.api.types.is_numeric_dtype(when):
        raise FieldError("date", f"{date!r} holds numbers, not dates")
    if not pd.api.types.is_datetime64_any_dtype(when):
        when = pd.to_datetime(when, errors="coerce", format="mixed")
        if when.notna().mean() < 0.95:
            raise FieldError("date", f"{date!r} does not hold dates (fewer than 95 % parse)")
    money = frame[amount]
    if not pd.api.types.is_numeric_dtype(money) or pd.api.types.is_bool_dtype(money):
        raise FieldError("amount", f"{amount!r} is not numeric ({money.dtype})")
    data = pd.DataFrame({"customer": frame[customer], "date": when, "amount": money}).dropna()
    if data.empty:
        raise FieldError("mapping", "no rows have a customer, a date and an amount")
    as_of = data["date"].max().normalize() + pd.Timedelta(days=1)
    grouped = data.groupby("customer", sort=True)
    out = pd.DataFrame(
        {
            "recency_days": (as_of - grouped["date"].max()).dt.days,
            "frequency": grouped.size(),
            "monetary": grouped["amount"].sum().round(2),
        }
    )
    if len(out) < 3:
        raise FieldError("customer", f"{customer!r} has {len(out)} distinct customers; segments need more")
    return out.rename_axis(customer).reset_index()
