"""A command's refusal of bad arguments (argparse's own messages) in the interface language,
naming the argument (``motcua.lib.commandline``)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation


@pytest.mark.parametrize(
    ("args", "vietnamese", "english"),
    [
        (["nothing"], "tham số action: lựa chọn không hợp lệ: 'nothing'", "invalid choice"),
        ([], "thiếu tham số bắt buộc: action", "the following arguments are required"),
        (["load", "--bogus"], "tham số không nhận ra: --bogus", "unrecognized arguments"),
    ],
)
def test_a_command_refuses_bad_arguments_in_vietnamese(args, vietnamese, english):
    with translation.override("vi"), pytest.raises(CommandError) as refused:
        call_command("demo", *args)
    assert vietnamese in str(refused.value)
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("demo", *args)
    assert english in str(refused.value)
