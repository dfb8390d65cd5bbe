"""Which evidence files a case accepts (pure rule)."""
import pytest

from concord.disputes import evidence

MB = 1024 * 1024


@pytest.mark.parametrize("name,size,head,ok", [
    ("工资条.pdf", 2000, b"%PDF-1.7", True),
    ("照片.JPG", 3 * MB, b"\xff\xd8\xff\xe0", True),
    ("截图.png", 100, b"\x89PNG\r\n\x1a\n", True),
    ("合同.docx", 5000, b"PK\x03\x04", True),
    ("考勤.xlsx", 5000, b"PK\x03\x04", True),
    ("病毒.exe", 100, b"MZ", False),             # type not accepted
    ("改名.pdf", 100, b"MZ\x90\x00", False),      # content is not a PDF
    ("大文件.pdf", 10 * MB + 1, b"%PDF-1.4", False),  # over the limit
    ("正好.pdf", 10 * MB, b"%PDF-1.4", True),
    ("空.pdf", 0, b"", False),
    ("无扩展名", 100, b"%PDF", False),
])
def test_evidence_problem(name, size, head, ok):
    problem = evidence.problem(name, size, head)
    assert (problem is None) is ok
    if problem:
        assert name in problem  # the message names the file


def test_content_type_follows_the_extension():
    assert evidence.content_type("a.PDF") == "application/pdf"
    assert evidence.content_type("a.bin") == "application/octet-stream"
