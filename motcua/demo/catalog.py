# ruff: noqa: E501
# (procedure names are verbatim data: they stay on one line each so they can be grepped)
"""The demo catalogue of Bắc Kạn city: 257 city-level procedures (189 online) and 114 commune-level
procedures (75 online), the figures of the city's reform report; and their versions from
1/7/2025, when the city level ended (``two_level_rows``, data/bac_kan_2025.csv).

Deterministic: every choice (code, time limit, fee, online level, components) comes from a hash
of the procedure's name, so ``motcua demo generate-catalog`` always writes the same
``data/bac_kan_demo.csv``. Names follow the national procedure database's wording; the codes
have the national shape (1.001193) but are made up.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from motcua.catalog.choices import LimitUnit, OnlineLevel, ProcedureLevel
from motcua.catalog.fileformat import Component, Fee, ProcedureRow, write_file
from motcua.lib.spreadsheet import write_csv

DISTRICT_TOTAL, DISTRICT_ONLINE = 257, 189
COMMUNE_TOTAL, COMMUNE_ONLINE = 114, 75

T = TypeVar("T")
WD, WH, CD = LimitUnit.WORKING_DAYS, LimitUnit.WORKING_HOURS, LimitUnit.CALENDAR_DAYS
COMMUNE_BODY = "UBND cấp xã"
START_DATES = (
    date(2023, 1, 1),
    date(2023, 1, 1),
    date(2023, 1, 1),
    date(2023, 3, 15),
    date(2023, 7, 1),
)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    agency: str  # the city department that handles the field's city-level procedures
    limits: tuple[tuple[int, str], ...]
    fees: tuple[int, ...]
    form: str
    papers: tuple[str, ...]


ID_PAPERS = (
    "Giấy tờ tùy thân của người yêu cầu",
    "Văn bản ủy quyền (nếu nộp thay)",
)
FIELDS: dict[str, FieldSpec] = {
    "HOTICH": FieldSpec(
        "Hộ tịch",
        "PTP-058",
        ((3, WD), (5, WD), (10, WD), (1, WD), (8, WH)),
        (0, 0, 8000, 15000),
        "Tờ khai theo mẫu quy định",
        (
            "Giấy chứng sinh hoặc giấy tờ thay thế",
            "Trích lục hộ tịch đã cấp",
            *ID_PAPERS,
            "Giấy tờ chứng minh nơi cư trú",
        ),
    ),
    "CHUNGTHUC": FieldSpec(
        "Chứng thực",
        "PTP-058",
        ((8, WH), (4, WH), (1, WD), (2, WD)),
        (2000, 10000, 50000),
        "Phiếu yêu cầu chứng thực",
        (
            "Bản chính giấy tờ, văn bản cần chứng thực",
            "Dự thảo hợp đồng, giao dịch",
            "Giấy tờ tùy thân của người yêu cầu chứng thực",
        ),
    ),
    "NUOICONNUOI": FieldSpec(
        "Nuôi con nuôi",
        "PTP-058",
        ((20, WD), (15, WD)),
        (400000,),
        "Đơn xin nhận con nuôi",
        (
            "Giấy khai sinh của người được nhận làm con nuôi",
            "Phiếu lý lịch tư pháp",
            "Giấy khám sức khỏe",
        ),
    ),
    "PBGDPL": FieldSpec(
        "Phổ biến giáo dục pháp luật",
        "PTP-058",
        ((5, WD), (7, WD)),
        (0,),
        "Văn bản đề nghị",
        ("Danh sách người được đề nghị", "Bản tóm tắt lý lịch"),
    ),
    "HOAGIAI": FieldSpec(
        "Hòa giải ở cơ sở",
        "PTP-058",
        ((5, WD), (3, WD)),
        (0,),
        "Văn bản đề nghị của Trưởng ban công tác Mặt trận",
        ("Biên bản bầu hòa giải viên",),
    ),
    "BOITHUONG": FieldSpec(
        "Bồi thường nhà nước",
        "PTP-058",
        ((30, CD), (15, WD)),
        (0,),
        "Văn bản yêu cầu bồi thường",
        ("Văn bản làm căn cứ yêu cầu bồi thường", "Tài liệu chứng minh thiệt hại"),
    ),
    "DATDAI": FieldSpec(
        "Đất đai",
        "PTNMT-058",
        ((20, WD), (15, WD), (10, WD), (7, WD), (30, CD)),
        (0, 0, 25000, 100000),
        "Đơn đăng ký đất đai, tài sản gắn liền với đất",
        (
            "Giấy chứng nhận quyền sử dụng đất đã cấp",
            "Hợp đồng, văn bản về chuyển quyền",
            "Mảnh trích đo địa chính thửa đất",
            "Chứng từ thực hiện nghĩa vụ tài chính",
        ),
    ),
    "MOITRUONG": FieldSpec(
        "Môi trường",
        "PTNMT-058",
        ((10, WD), (15, WD), (20, WD)),
        (0, 0, 500000),
        "Văn bản đề nghị theo mẫu",
        (
            "Báo cáo đề xuất cấp giấy phép môi trường",
            "Kế hoạch bảo vệ môi trường",
            "Bản vẽ mặt bằng công trình xử lý chất thải",
        ),
    ),
    "TNNUOC": FieldSpec(
        "Tài nguyên nước",
        "PTNMT-058",
        ((10, WD), (15, WD)),
        (0,),
        "Tờ khai đăng ký khai thác nước dưới đất",
        ("Sơ đồ khu vực và vị trí công trình",),
    ),
    "XAYDUNG": FieldSpec(
        "Hoạt động xây dựng",
        "PQLDT-058",
        ((15, WD), (20, WD), (10, WD), (7, WD)),
        (0, 15000, 75000, 150000),
        "Đơn đề nghị cấp giấy phép xây dựng theo mẫu",
        (
            "Giấy tờ chứng minh quyền sử dụng đất",
            "Bản vẽ thiết kế xây dựng",
            "Bản cam kết bảo đảm an toàn công trình liền kề",
            "Báo cáo kết quả thẩm định thiết kế",
        ),
    ),
    "QUYHOACH": FieldSpec(
        "Quy hoạch xây dựng, kiến trúc",
        "PQLDT-058",
        ((15, WD), (20, WD), (25, WD)),
        (0,),
        "Tờ trình đề nghị thẩm định, phê duyệt",
        ("Thuyết minh nhiệm vụ, đồ án quy hoạch", "Bản vẽ quy hoạch", "Dự thảo quyết định"),
    ),
    "DUONGBO": FieldSpec(
        "Đường bộ và đường thủy nội địa",
        "PQLDT-058",
        ((7, WD), (10, WD), (3, WD)),
        (0, 70000),
        "Đơn đề nghị theo mẫu",
        (
            "Bản vẽ biện pháp tổ chức thi công",
            "Giấy tờ về phương tiện",
            "Phương án bảo đảm an toàn giao thông",
        ),
    ),
    "HKD": FieldSpec(
        "Thành lập và hoạt động của hộ kinh doanh",
        "PTCKH-058",
        ((3, WD), (5, WD)),
        (0, 50000, 100000),
        "Giấy đề nghị đăng ký hộ kinh doanh",
        (
            "Bản sao giấy tờ pháp lý của chủ hộ kinh doanh",
            "Biên bản họp thành viên hộ gia đình",
            "Giấy chứng nhận đăng ký hộ kinh doanh đã cấp",
        ),
    ),
    "HTX": FieldSpec(
        "Thành lập và hoạt động của hợp tác xã",
        "PTCKH-058",
        ((5, WD), (3, WD), (10, WD)),
        (0, 50000, 100000),
        "Giấy đề nghị đăng ký hợp tác xã",
        (
            "Điều lệ hợp tác xã",
            "Phương án sản xuất, kinh doanh",
            "Danh sách thành viên",
            "Nghị quyết đại hội thành viên",
        ),
    ),
    "TAICHINH": FieldSpec(
        "Quản lý công sản, tài chính",
        "PTCKH-058",
        ((20, WD), (15, WD), (30, CD)),
        (0,),
        "Tờ trình đề nghị",
        ("Báo cáo quyết toán", "Danh mục tài sản đề nghị", "Văn bản thẩm định"),
    ),
    "LUUTHONG": FieldSpec(
        "Lưu thông hàng hóa trong nước",
        "PKT-058",
        ((10, WD), (15, WD), (7, WD)),
        (400000, 1200000, 600000),
        "Đơn đề nghị cấp giấy phép theo mẫu",
        (
            "Bản sao giấy chứng nhận đăng ký kinh doanh",
            "Hợp đồng mua bán với thương nhân cung cấp",
            "Giấy tờ chứng minh quyền sử dụng địa điểm kinh doanh",
        ),
    ),
    "ATTP": FieldSpec(
        "An toàn thực phẩm",
        "PYT-058",
        ((15, WD), (10, WD), (20, WD)),
        (0, 500000, 700000),
        "Đơn đề nghị cấp giấy chứng nhận theo mẫu",
        (
            "Bản thuyết minh về cơ sở vật chất, trang thiết bị",
            "Giấy xác nhận đủ sức khỏe của chủ cơ sở",
            "Giấy xác nhận kiến thức về an toàn thực phẩm",
        ),
    ),
    "NONGNGHIEP": FieldSpec(
        "Nông nghiệp và phát triển nông thôn",
        "PKT-058",
        ((10, WD), (15, WD), (20, WD), (7, WD)),
        (0,),
        "Đơn đề nghị hỗ trợ theo mẫu",
        (
            "Bảng kê thiệt hại có xác nhận của thôn",
            "Phương án, kế hoạch thực hiện",
            "Bảng kê lâm sản",
            "Hợp đồng liên kết sản xuất",
        ),
    ),
    "BAOTROXH": FieldSpec(
        "Bảo trợ xã hội",
        "PLDTBXH-058",
        ((10, WD), (7, WD), (15, WD), (3, WD)),
        (0,),
        "Tờ khai đề nghị trợ giúp xã hội theo mẫu",
        (
            "Giấy xác nhận khuyết tật",
            "Bản sao giấy khai sinh",
            "Biên bản họp Hội đồng xét duyệt",
            "Giấy tờ chứng minh hoàn cảnh khó khăn",
        ),
    ),
    "GIAMNGHEO": FieldSpec(
        "Giảm nghèo",
        "PLDTBXH-058",
        ((15, WD), (10, WD)),
        (0,),
        "Giấy đề nghị xét duyệt theo mẫu",
        ("Phiếu khảo sát thu nhập hộ gia đình",),
    ),
    "NGUOICOCONG": FieldSpec(
        "Người có công",
        "PLDTBXH-058",
        ((12, WD), (20, WD), (5, WD)),
        (0,),
        "Bản khai theo mẫu",
        (
            "Giấy chứng nhận gia đình liệt sĩ hoặc quyết định trợ cấp",
            "Giấy báo tử hoặc trích lục khai tử",
            "Biên bản ủy quyền của thân nhân",
        ),
    ),
    "TREEM": FieldSpec(
        "Trẻ em",
        "PLDTBXH-058",
        ((12, WH), (5, WD), (10, WD)),
        (0,),
        "Đơn đăng ký theo mẫu",
        ("Biên bản đánh giá nguy cơ đối với trẻ em", "Ý kiến của trẻ em từ đủ 7 tuổi trở lên"),
    ),
    "LAODONG": FieldSpec(
        "Giáo dục nghề nghiệp",
        "PLDTBXH-058",
        ((15, WD), (10, WD)),
        (0,),
        "Tờ trình đề nghị thành lập",
        ("Đề án thành lập", "Dự thảo quy chế tổ chức, hoạt động"),
    ),
    "GIAODUC": FieldSpec(
        "Giáo dục và Đào tạo",
        "PGDDT-058",
        ((20, WD), (15, WD), (10, WD), (5, WD), (3, WD)),
        (0,),
        "Tờ trình hoặc đơn đề nghị",
        (
            "Đề án thành lập trường",
            "Danh sách cán bộ quản lý, giáo viên",
            "Bản sao văn bằng, chứng chỉ",
            "Học bạ",
            "Biên bản kiểm tra thực tế",
        ),
    ),
    "VANHOA": FieldSpec(
        "Văn hóa, thể thao và thư viện",
        "PVHTT-058",
        ((5, WD), (7, WD), (10, WD), (15, WD)),
        (0, 0, 200000, 6000000),
        "Văn bản đề nghị theo mẫu",
        (
            "Báo cáo thành tích",
            "Biên bản họp bình xét",
            "Nội quy hoạt động",
            "Giấy tờ chứng minh địa điểm hoạt động",
        ),
    ),
    "THONGTIN": FieldSpec(
        "Phát thanh, truyền hình và thông tin điện tử",
        "PVHTT-058",
        ((5, WD), (10, WD)),
        (200000,),
        "Đơn đề nghị cấp giấy chứng nhận theo mẫu",
        ("Bản sao giấy chứng nhận đăng ký kinh doanh", "Bản vẽ mặt bằng điểm cung cấp dịch vụ"),
    ),
    "NOIVU": FieldSpec(
        "Tổ chức phi chính phủ và đơn vị sự nghiệp",
        "PNV-058",
        ((15, WD), (30, CD), (20, WD)),
        (0,),
        "Đơn đề nghị",
        (
            "Dự thảo điều lệ",
            "Danh sách ban vận động",
            "Đề án thành lập",
            "Sơ yếu lý lịch người đứng đầu",
        ),
    ),
    "THIDUA": FieldSpec(
        "Thi đua – Khen thưởng",
        "PNV-058",
        ((20, WD), (10, WD), (5, WD)),
        (0,),
        "Tờ trình đề nghị khen thưởng",
        ("Báo cáo thành tích", "Biên bản họp Hội đồng thi đua – khen thưởng"),
    ),
    "TONGIAO": FieldSpec(
        "Tôn giáo",
        "PNV-058",
        ((20, WD), (30, CD), (15, WD)),
        (0,),
        "Văn bản thông báo hoặc đề nghị theo mẫu",
        (
            "Danh mục hoạt động tôn giáo",
            "Bản tóm tắt quá trình hoạt động tôn giáo",
            "Sơ yếu lý lịch",
        ),
    ),
    "TINNGUONG": FieldSpec(
        "Tín ngưỡng",
        "PNV-058",
        ((15, WD), (20, CD)),
        (0,),
        "Văn bản đăng ký theo mẫu",
        ("Danh mục hoạt động tín ngưỡng", "Bản sao giấy tờ về cơ sở tín ngưỡng"),
    ),
    "YTE": FieldSpec(
        "Y tế dự phòng và dân số",
        "PYT-058",
        ((10, WD), (7, WD), (15, WD)),
        (0, 300000),
        "Đơn đề nghị theo mẫu",
        ("Danh sách nhân sự", "Bản kê trang thiết bị", "Giấy chứng nhận của cơ quan y tế"),
    ),
    "KHIEUNAI": FieldSpec(
        "Giải quyết khiếu nại, tố cáo",
        "UBND-058",
        ((30, CD), (45, CD)),
        (0,),
        "Đơn khiếu nại, tố cáo hoặc biên bản ghi lời",
        ("Tài liệu, chứng cứ kèm theo", "Văn bản ủy quyền (nếu có)"),
    ),
}

# (field code, name, make variants "Cấp lại…", "Cấp sửa đổi, bổ sung…", "Gia hạn…")
DISTRICT_BASE: tuple[tuple[str, str, bool], ...] = tuple(
    (f, n, False)
    for f, names in (
        (
            "HOTICH",
            (
                "Đăng ký khai sinh có yếu tố nước ngoài",
                "Đăng ký khai sinh có yếu tố nước ngoài cho người đã có hồ sơ, giấy tờ cá nhân",
                "Đăng ký kết hôn có yếu tố nước ngoài",
                "Đăng ký giám hộ có yếu tố nước ngoài",
                "Đăng ký chấm dứt giám hộ có yếu tố nước ngoài",
                "Đăng ký nhận cha, mẹ, con có yếu tố nước ngoài",
                "Đăng ký khai sinh kết hợp nhận cha, mẹ, con có yếu tố nước ngoài",
                "Đăng ký khai tử có yếu tố nước ngoài",
                "Đăng ký lại khai sinh có yếu tố nước ngoài",
                "Đăng ký lại kết hôn có yếu tố nước ngoài",
                "Đăng ký lại khai tử có yếu tố nước ngoài",
                "Thay đổi, cải chính, bổ sung thông tin hộ tịch, xác định lại dân tộc",
                "Ghi vào Sổ hộ tịch việc kết hôn của công dân Việt Nam đã được giải quyết tại cơ quan "
                "có thẩm quyền của nước ngoài",
                "Ghi vào Sổ hộ tịch việc ly hôn, hủy việc kết hôn của công dân Việt Nam đã được giải "
                "quyết tại cơ quan có thẩm quyền của nước ngoài",
                "Ghi vào Sổ hộ tịch việc hộ tịch khác của công dân Việt Nam đã được giải quyết tại cơ "
                "quan có thẩm quyền của nước ngoài",
                "Cấp bản sao Trích lục hộ tịch có yếu tố nước ngoài",
                "Thay đổi, cải chính, bổ sung hộ tịch có yếu tố nước ngoài",
            ),
        ),
        (
            "CHUNGTHUC",
            (
                "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền "
                "của Việt Nam cấp hoặc chứng nhận",
                "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền "
                "của nước ngoài cấp hoặc chứng nhận",
                "Chứng thực chữ ký trong các giấy tờ, văn bản",
                "Chứng thực chữ ký người dịch mà người dịch là cộng tác viên dịch thuật của Phòng Tư pháp",
                "Chứng thực chữ ký người dịch mà người dịch không phải là cộng tác viên dịch thuật",
                "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản",
                "Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch",
                "Sửa lỗi sai sót trong hợp đồng, giao dịch",
                "Cấp bản sao có chứng thực từ bản chính hợp đồng, giao dịch đã được chứng thực",
                "Chứng thực văn bản thỏa thuận phân chia di sản mà di sản là động sản",
                "Chứng thực văn bản khai nhận di sản mà di sản là động sản",
                "Chứng thực bản sao điện tử từ bản chính",
                "Công nhận cộng tác viên dịch thuật của Phòng Tư pháp",
            ),
        ),
        (
            "PBGDPL",
            (
                "Công nhận báo cáo viên pháp luật cấp huyện",
                "Miễn nhiệm báo cáo viên pháp luật cấp huyện",
                "Công nhận xã, phường, thị trấn đạt chuẩn tiếp cận pháp luật",
            ),
        ),
        (
            "BOITHUONG",
            (
                "Giải quyết yêu cầu bồi thường tại cơ quan trực tiếp quản lý người thi hành công vụ "
                "gây thiệt hại",
                "Phục hồi danh dự",
                "Xác định cơ quan giải quyết bồi thường",
                "Giải quyết yêu cầu bồi thường tại cơ quan giải quyết bồi thường",
            ),
        ),
        (
            "DATDAI",
            (
                "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
                "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất do chuyển "
                "nhượng, tặng cho, thừa kế",
                "Cấp đổi Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn "
                "liền với đất",
                "Cấp lại Giấy chứng nhận quyền sử dụng đất do bị mất",
                "Đính chính Giấy chứng nhận quyền sử dụng đất đã cấp",
                "Thu hồi Giấy chứng nhận quyền sử dụng đất đã cấp không đúng quy định của pháp luật đất đai",
                "Chuyển mục đích sử dụng đất phải được phép của cơ quan nhà nước có thẩm quyền",
                "Giao đất, cho thuê đất không thông qua đấu giá quyền sử dụng đất",
                "Gia hạn sử dụng đất nông nghiệp của hộ gia đình, cá nhân",
                "Xác nhận tiếp tục sử dụng đất nông nghiệp của hộ gia đình, cá nhân khi hết hạn sử dụng đất",
                "Tách thửa hoặc hợp thửa đất",
                "Đăng ký xác lập quyền sử dụng hạn chế thửa đất liền kề",
                "Đăng ký biến động do đổi tên, thay đổi thông tin về người sử dụng đất",
                "Đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất",
                "Xóa đăng ký thế chấp quyền sử dụng đất, tài sản gắn liền với đất",
                "Giải quyết tranh chấp đất đai thuộc thẩm quyền của Chủ tịch Ủy ban nhân dân cấp huyện",
                "Thu hồi đất vì mục đích phát triển kinh tế - xã hội vì lợi ích quốc gia, công cộng",
                "Chuyển đổi quyền sử dụng đất nông nghiệp của hộ gia đình, cá nhân",
                "Đăng ký bổ sung tài sản gắn liền với đất vào Giấy chứng nhận đã cấp",
                "Cung cấp thông tin, dữ liệu đất đai",
                "Đăng ký biến động khi chuyển từ hình thức thuê đất trả tiền hằng năm sang thuê đất "
                "trả tiền một lần",
                "Điều chỉnh quyết định thu hồi đất, giao đất, cho thuê đất của Ủy ban nhân dân cấp huyện",
            ),
        ),
        (
            "MOITRUONG",
            (
                "Xác nhận đăng ký kế hoạch bảo vệ môi trường",
                "Tham vấn ý kiến trong quá trình thực hiện đánh giá tác động môi trường",
                "Đăng ký môi trường",
                "Thẩm định phương án cải tạo, phục hồi môi trường trong hoạt động khai thác khoáng sản",
                "Xác nhận hoàn thành công trình bảo vệ môi trường",
            ),
        ),
        (
            "TNNUOC",
            (
                "Đăng ký khai thác nước dưới đất",
                "Lấy ý kiến Ủy ban nhân dân cấp huyện đối với các dự án đầu tư có chuyển nước từ "
                "nguồn nước nội tỉnh",
                "Cung cấp thông tin, dữ liệu tài nguyên nước",
            ),
        ),
        (
            "XAYDUNG",
            (
                "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
                "Cấp giấy phép xây dựng mới đối với công trình không theo tuyến",
                "Cấp giấy phép xây dựng mới đối với công trình theo tuyến trong đô thị",
                "Cấp giấy phép xây dựng sửa chữa, cải tạo công trình",
                "Cấp giấy phép di dời công trình",
                "Cấp giấy phép xây dựng có thời hạn đối với nhà ở riêng lẻ",
                "Điều chỉnh giấy phép xây dựng nhà ở riêng lẻ",
                "Gia hạn giấy phép xây dựng nhà ở riêng lẻ",
                "Cấp lại giấy phép xây dựng nhà ở riêng lẻ",
                "Thẩm định Báo cáo kinh tế - kỹ thuật đầu tư xây dựng",
                "Thẩm định thiết kế xây dựng triển khai sau thiết kế cơ sở",
                "Thẩm định điều chỉnh Báo cáo kinh tế - kỹ thuật đầu tư xây dựng",
                "Thông báo khởi công xây dựng công trình",
            ),
        ),
        (
            "QUYHOACH",
            (
                "Thẩm định nhiệm vụ, đồ án quy hoạch chi tiết xây dựng của dự án đầu tư xây dựng "
                "công trình theo hình thức kinh doanh",
                "Thẩm định, phê duyệt quy hoạch chi tiết xây dựng đô thị",
                "Cung cấp thông tin về quy hoạch xây dựng thuộc thẩm quyền của Ủy ban nhân dân cấp huyện",
                "Điều chỉnh cục bộ quy hoạch chi tiết xây dựng",
                "Thỏa thuận phương án kiến trúc công trình",
            ),
        ),
        (
            "DUONGBO",
            (
                "Chấp thuận xây dựng công trình thiết yếu trong phạm vi bảo vệ kết cấu hạ tầng giao "
                "thông đường bộ của đường huyện",
                "Cấp phép sử dụng tạm thời một phần lòng đường, hè phố không vào mục đích giao thông",
                "Đăng ký phương tiện thủy nội địa lần đầu",
                "Đăng ký lại phương tiện thủy nội địa",
                "Xóa giấy chứng nhận đăng ký phương tiện thủy nội địa",
            ),
        ),
        (
            "HKD",
            (
                "Đăng ký thành lập hộ kinh doanh",
                "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
                "Tạm ngừng hoạt động hộ kinh doanh",
                "Tiếp tục kinh doanh trước thời hạn đã thông báo của hộ kinh doanh",
                "Chấm dứt hoạt động hộ kinh doanh",
                "Cấp lại Giấy chứng nhận đăng ký hộ kinh doanh",
            ),
        ),
        (
            "HTX",
            (
                "Đăng ký thành lập hợp tác xã",
                "Đăng ký thành lập chi nhánh, văn phòng đại diện, địa điểm kinh doanh của hợp tác xã",
                "Đăng ký thay đổi tên, địa chỉ trụ sở chính, ngành, nghề sản xuất, kinh doanh, vốn "
                "điều lệ của hợp tác xã",
                "Đăng ký khi hợp tác xã chia, tách, hợp nhất, sáp nhập",
                "Tạm ngừng hoạt động của hợp tác xã, chi nhánh, văn phòng đại diện, địa điểm kinh "
                "doanh của hợp tác xã",
                "Giải thể tự nguyện hợp tác xã",
                "Cấp lại giấy chứng nhận đăng ký hợp tác xã",
                "Thông báo thay đổi nội dung đăng ký hợp tác xã",
                "Thu hồi Giấy chứng nhận đăng ký hợp tác xã",
            ),
        ),
        (
            "TAICHINH",
            (
                "Thẩm tra, phê duyệt quyết toán vốn đầu tư dự án hoàn thành thuộc ngân sách cấp huyện",
                "Quyết định mua sắm tài sản công trong trường hợp không phải lập thành dự án đầu tư",
                "Quyết định thanh lý tài sản công",
                "Quyết định điều chuyển tài sản công",
                "Quyết định bán tài sản công",
                "Thẩm định chủ trương đầu tư dự án nhóm C sử dụng vốn đầu tư công cấp huyện",
            ),
        ),
        ("LUUTHONG", ("Phê duyệt phương án chuyển đổi mô hình quản lý chợ",)),
        (
            "ATTP",
            (
                "Xác nhận kiến thức về an toàn thực phẩm cho chủ cơ sở và người trực tiếp sản xuất, "
                "kinh doanh thực phẩm",
            ),
        ),
        (
            "NONGNGHIEP",
            (
                "Phê duyệt kế hoạch khuyến nông địa phương",
                "Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do dịch bệnh",
                "Hỗ trợ dự án liên kết sản xuất, tiêu thụ sản phẩm nông nghiệp",
                "Phê duyệt, điều chỉnh quy trình vận hành đối với công trình thủy lợi nhỏ",
                "Phê duyệt phương án ứng phó thiên tai cho công trình, vùng hạ du đập",
                "Xác nhận bảng kê lâm sản có nguồn gốc từ rừng trồng",
                "Phê duyệt hồ sơ thiết kế khai thác gỗ rừng trồng",
                "Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do thiên tai",
            ),
        ),
        (
            "BAOTROXH",
            (
                "Đăng ký thành lập cơ sở trợ giúp xã hội ngoài công lập thuộc thẩm quyền thành lập "
                "của Phòng Lao động - Thương binh và Xã hội",
                "Đăng ký thay đổi nội dung giấy chứng nhận đăng ký thành lập cơ sở trợ giúp xã hội "
                "ngoài công lập",
                "Giải thể cơ sở trợ giúp xã hội ngoài công lập",
                "Tiếp nhận đối tượng bảo trợ xã hội có hoàn cảnh đặc biệt khó khăn vào cơ sở trợ giúp "
                "xã hội cấp huyện",
                "Dừng trợ giúp xã hội tại cơ sở trợ giúp xã hội cấp huyện",
                "Tiếp nhận đối tượng cần bảo vệ khẩn cấp vào cơ sở trợ giúp xã hội cấp huyện",
                "Trợ giúp xã hội khẩn cấp về hỗ trợ làm nhà ở, sửa chữa nhà ở",
                "Chi trả trợ cấp xã hội hàng tháng khi đối tượng thay đổi nơi cư trú giữa các quận, "
                "huyện, thị xã, thành phố",
            ),
        ),
        (
            "NGUOICOCONG",
            (
                "Giải quyết chế độ trợ cấp thờ cúng liệt sĩ",
                "Hưởng mai táng phí, trợ cấp một lần khi người có công với cách mạng từ trần",
                "Giải quyết trợ cấp một lần đối với thanh niên xung phong đã hoàn thành nhiệm vụ "
                "trong kháng chiến",
                "Di chuyển hồ sơ khi người hưởng trợ cấp ưu đãi thay đổi nơi thường trú",
                "Giải quyết chế độ trợ cấp ưu đãi đối với thân nhân liệt sĩ",
            ),
        ),
        (
            "TREEM",
            (
                "Áp dụng các biện pháp can thiệp khẩn cấp hoặc tạm thời cách ly trẻ em khỏi môi "
                "trường hoặc người gây tổn hại cho trẻ em",
                "Chấm dứt việc chăm sóc thay thế cho trẻ em",
                "Phê duyệt kế hoạch hỗ trợ, can thiệp đối với trẻ em bị xâm hại hoặc có nguy cơ bị "
                "bạo lực, bóc lột, bỏ rơi",
            ),
        ),
        (
            "LAODONG",
            (
                "Thành lập trung tâm giáo dục nghề nghiệp công lập thuộc cấp huyện",
                "Tổ chức lại, giải thể trung tâm giáo dục nghề nghiệp công lập thuộc cấp huyện",
            ),
        ),
        (
            "GIAODUC",
            (
                "Thành lập trường mầm non công lập, cho phép thành lập trường mầm non dân lập, tư thục",
                "Cho phép trường mầm non hoạt động giáo dục",
                "Sáp nhập, chia, tách trường mầm non",
                "Giải thể trường mầm non",
                "Thành lập trường tiểu học công lập, cho phép thành lập trường tiểu học tư thục",
                "Cho phép trường tiểu học hoạt động giáo dục",
                "Sáp nhập, chia, tách trường tiểu học",
                "Giải thể trường tiểu học",
                "Thành lập trường trung học cơ sở công lập, cho phép thành lập trường trung học cơ "
                "sở tư thục",
                "Cho phép trường trung học cơ sở hoạt động giáo dục",
                "Sáp nhập, chia, tách trường trung học cơ sở",
                "Giải thể trường trung học cơ sở",
                "Chuyển trường đối với học sinh trung học cơ sở",
                "Xét, duyệt chính sách hỗ trợ đối với học sinh bán trú đang học tại các trường tiểu "
                "học, trung học cơ sở",
                "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
                "Chỉnh sửa nội dung văn bằng, chứng chỉ",
                "Công nhận trường mầm non đạt chuẩn quốc gia",
                "Công nhận trường tiểu học đạt chuẩn quốc gia",
                "Công nhận trường trung học cơ sở đạt chuẩn quốc gia",
                "Hỗ trợ học tập đối với trẻ mẫu giáo, học sinh tiểu học, học sinh trung học cơ sở "
                "người dân tộc thiểu số",
                "Xét cấp hỗ trợ ăn trưa cho trẻ em mẫu giáo",
                "Miễn, giảm học phí, hỗ trợ chi phí học tập đối với học sinh trung học cơ sở",
                "Công nhận xã đạt chuẩn phổ cập giáo dục, xóa mù chữ",
            ),
        ),
        (
            "VANHOA",
            (
                "Thông báo tổ chức lễ hội cấp huyện",
                "Đăng ký tổ chức lễ hội cấp huyện",
                "Công nhận lần đầu “Cơ quan đạt chuẩn văn hóa”, “Đơn vị đạt chuẩn văn hóa”, "
                "“Doanh nghiệp đạt chuẩn văn hóa”",
                "Công nhận lại “Cơ quan đạt chuẩn văn hóa”, “Đơn vị đạt chuẩn văn hóa”, "
                "“Doanh nghiệp đạt chuẩn văn hóa”",
                "Xét tặng danh hiệu “Xã đạt chuẩn văn hóa nông thôn mới”",
                "Xét tặng danh hiệu “Phường, thị trấn đạt chuẩn đô thị văn minh”",
                "Thông báo tổ chức biểu diễn nghệ thuật trên địa bàn thành phố",
                "Đăng ký hoạt động thư viện tư nhân có vốn sách ban đầu từ 1.000 bản trở lên",
                "Thông báo thành lập thư viện chuyên ngành ở cấp huyện",
            ),
        ),
        (
            "NOIVU",
            (
                "Công nhận ban vận động thành lập hội có phạm vi hoạt động trong huyện",
                "Thành lập hội có phạm vi hoạt động trong huyện",
                "Phê duyệt điều lệ hội",
                "Chia, tách; sáp nhập; hợp nhất hội",
                "Đổi tên hội",
                "Hội tự giải thể",
                "Báo cáo tổ chức đại hội nhiệm kỳ, đại hội bất thường của hội",
                "Công nhận quỹ đủ điều kiện hoạt động và công nhận thành viên hội đồng quản lý quỹ",
                "Thay đổi giấy phép thành lập và công nhận điều lệ quỹ",
                "Thẩm định việc thành lập đơn vị sự nghiệp công lập thuộc cấp huyện",
                "Thẩm định việc tổ chức lại, giải thể đơn vị sự nghiệp công lập thuộc cấp huyện",
            ),
        ),
        (
            "THIDUA",
            (
                "Tặng danh hiệu Lao động tiên tiến",
                "Tặng danh hiệu Chiến sĩ thi đua cơ sở",
                "Tặng danh hiệu Tập thể lao động tiên tiến",
                "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp huyện về thành tích thực hiện nhiệm "
                "vụ chính trị",
                "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp huyện về thành tích thi đua theo "
                "đợt, chuyên đề",
                "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp huyện về thành tích đột xuất",
                "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp huyện cho gia đình",
            ),
        ),
        (
            "TONGIAO",
            (
                "Thông báo danh mục hoạt động tôn giáo đối với tổ chức có địa bàn hoạt động tôn giáo "
                "ở nhiều xã thuộc một huyện",
                "Thông báo danh mục hoạt động tôn giáo bổ sung đối với tổ chức có địa bàn hoạt động "
                "tôn giáo ở nhiều xã thuộc một huyện",
                "Thông báo tổ chức hội nghị thường niên của tổ chức tôn giáo có địa bàn hoạt động ở "
                "một huyện",
                "Đề nghị tổ chức đại hội của tổ chức tôn giáo có địa bàn hoạt động ở một huyện",
                "Đề nghị tổ chức cuộc lễ ngoài cơ sở tôn giáo, địa điểm hợp pháp đã đăng ký có quy mô "
                "tổ chức ở một huyện",
                "Đề nghị giảng đạo ngoài địa bàn phụ trách, cơ sở tôn giáo, địa điểm hợp pháp đã "
                "đăng ký có quy mô tổ chức ở một huyện",
                "Thông báo tổ chức quyên góp ngoài địa bàn một xã nhưng trong địa bàn một huyện của "
                "cơ sở tín ngưỡng, tổ chức tôn giáo",
                "Đăng ký người được bổ nhiệm, bầu cử, suy cử làm chức việc của tổ chức tôn giáo có "
                "địa bàn hoạt động ở một huyện",
            ),
        ),
        (
            "YTE",
            (
                "Xét duyệt hồ sơ hưởng chính sách hỗ trợ cho đối tượng sinh con đúng chính sách dân số",
                "Thay đổi địa điểm, quy mô hoạt động trạm, điểm sơ cấp cứu chữ thập đỏ",
            ),
        ),
        (
            "KHIEUNAI",
            (
                "Giải quyết khiếu nại lần đầu tại cấp huyện",
                "Giải quyết khiếu nại lần hai tại cấp huyện",
                "Giải quyết tố cáo tại cấp huyện",
                "Tiếp công dân tại cấp huyện",
                "Xử lý đơn tại cấp huyện",
                "Tiếp nhận yêu cầu giải trình",
                "Thực hiện việc giải trình",
            ),
        ),
    )
    for n in names
) + (
    ("MOITRUONG", "Cấp giấy phép môi trường thuộc thẩm quyền của Ủy ban nhân dân cấp huyện", True),
    ("XAYDUNG", "Cấp giấy phép chặt hạ, dịch chuyển cây xanh đô thị", True),
    ("XAYDUNG", "Cấp giấy phép đào đường, vỉa hè để thi công công trình hạ tầng kỹ thuật", True),
    ("DUONGBO", "Cấp giấy phép thi công công trình đường bộ trên đường huyện đang khai thác", True),
    ("LUUTHONG", "Cấp Giấy phép bán lẻ sản phẩm rượu", True),
    ("LUUTHONG", "Cấp Giấy phép sản xuất rượu thủ công nhằm mục đích kinh doanh", True),
    ("LUUTHONG", "Cấp Giấy phép bán lẻ sản phẩm thuốc lá", True),
    ("LUUTHONG", "Cấp Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ LPG chai", True),
    (
        "ATTP",
        "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm đối với cơ sở kinh "
        "doanh dịch vụ ăn uống",
        True,
    ),
    (
        "ATTP",
        "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm đối với cơ sở sản "
        "xuất, kinh doanh nông, lâm, thủy sản",
        True,
    ),
    (
        "BAOTROXH",
        "Cấp giấy phép hoạt động đối với cơ sở trợ giúp xã hội thuộc thẩm quyền của "
        "Phòng Lao động - Thương binh và Xã hội",
        True,
    ),
    (
        "GIAODUC",
        "Cấp giấy phép tổ chức hoạt động dạy thêm, học thêm đối với cấp trung học cơ sở",
        True,
    ),
    ("VANHOA", "Cấp Giấy phép kinh doanh dịch vụ karaoke", True),
    (
        "THONGTIN",
        "Cấp Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ trò chơi điện "
        "tử công cộng",
        True,
    ),
    (
        "NOIVU",
        "Cấp giấy phép thành lập và công nhận điều lệ quỹ có phạm vi hoạt động trong huyện",
        True,
    ),
    ("YTE", "Cấp giấy phép hoạt động đối với trạm, điểm sơ cấp cứu chữ thập đỏ", True),
)

COMMUNE_BASE: tuple[tuple[str, str, bool], ...] = tuple(
    (f, n, False)
    for f, names in (
        (
            "HOTICH",
            (
                "Đăng ký khai sinh",
                "Đăng ký kết hôn",
                "Đăng ký nhận cha, mẹ, con",
                "Đăng ký khai sinh kết hợp nhận cha, mẹ, con",
                "Đăng ký khai tử",
                "Đăng ký khai sinh lưu động",
                "Đăng ký kết hôn lưu động",
                "Đăng ký khai tử lưu động",
                "Đăng ký giám hộ",
                "Đăng ký chấm dứt giám hộ",
                "Thay đổi, cải chính, bổ sung thông tin hộ tịch",
                "Cấp Giấy xác nhận tình trạng hôn nhân",
                "Đăng ký lại khai sinh",
                "Đăng ký khai sinh cho người đã có hồ sơ, giấy tờ cá nhân",
                "Đăng ký lại kết hôn",
                "Đăng ký lại khai tử",
                "Cấp bản sao Trích lục hộ tịch",
                "Liên thông thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo "
                "hiểm y tế cho trẻ em dưới 6 tuổi",
                "Liên thông thủ tục hành chính về đăng ký khai tử, xóa đăng ký thường trú, hưởng chế "
                "độ tử tuất, hỗ trợ chi phí mai táng",
                "Xác nhận thông tin hộ tịch",
            ),
        ),
        (
            "CHUNGTHUC",
            (
                "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền "
                "của Việt Nam cấp hoặc chứng nhận",
                "Chứng thực chữ ký trong các giấy tờ, văn bản (áp dụng cho cả trường hợp chứng thực "
                "điểm chỉ và trường hợp người yêu cầu chứng thực không thể ký, không thể điểm chỉ được)",
                "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản, quyền sử dụng đất "
                "và nhà ở",
                "Chứng thực di chúc",
                "Chứng thực văn bản từ chối nhận di sản",
                "Chứng thực văn bản thỏa thuận phân chia di sản mà di sản là động sản, quyền sử dụng "
                "đất, nhà ở",
                "Chứng thực văn bản khai nhận di sản mà di sản là động sản, quyền sử dụng đất, nhà ở",
                "Chứng thực việc sửa đổi, bổ sung, hủy bỏ hợp đồng, giao dịch",
                "Sửa lỗi sai sót trong hợp đồng, giao dịch",
                "Cấp bản sao có chứng thực từ bản chính hợp đồng, giao dịch đã được chứng thực",
            ),
        ),
        (
            "NUOICONNUOI",
            (
                "Đăng ký nuôi con nuôi trong nước",
                "Đăng ký lại việc nuôi con nuôi trong nước",
            ),
        ),
        (
            "HOAGIAI",
            (
                "Công nhận hòa giải viên",
                "Công nhận tổ trưởng tổ hòa giải",
                "Thôi làm hòa giải viên",
                "Thanh toán thù lao cho hòa giải viên",
                "Hỗ trợ chi phí cho hòa giải viên gặp tai nạn hoặc rủi ro ảnh hưởng đến sức khỏe, "
                "tính mạng trong khi thực hiện hoạt động hòa giải",
            ),
        ),
        (
            "PBGDPL",
            (
                "Công nhận tuyên truyền viên pháp luật",
                "Cho thôi làm tuyên truyền viên pháp luật",
            ),
        ),
        (
            "BAOTROXH",
            (
                "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hàng tháng, hỗ trợ kinh phí chăm "
                "sóc, nuôi dưỡng hàng tháng",
                "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật",
                "Đổi, cấp lại Giấy xác nhận khuyết tật",
                "Trợ giúp xã hội khẩn cấp về hỗ trợ chi phí mai táng",
                "Nhận chăm sóc, nuôi dưỡng đối tượng cần bảo vệ khẩn cấp",
                "Đăng ký hoạt động đối với cơ sở trợ giúp xã hội dưới 10 đối tượng có hoàn cảnh khó khăn",
                "Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội",
                "Hỗ trợ hộ gia đình, cá nhân bị thiệt hại nhà ở do thiên tai",
            ),
        ),
        (
            "GIAMNGHEO",
            (
                "Công nhận hộ nghèo, hộ cận nghèo phát sinh trong năm",
                "Công nhận hộ thoát nghèo, hộ thoát cận nghèo trong năm",
                "Công nhận hộ làm nông nghiệp, lâm nghiệp, ngư nghiệp và diêm nghiệp có mức sống trung bình",
            ),
        ),
        (
            "NGUOICOCONG",
            (
                "Giải quyết chế độ mai táng phí đối với cựu chiến binh",
                "Xác nhận vào đơn đề nghị di chuyển hài cốt liệt sĩ",
                "Giải quyết chế độ trợ cấp mai táng phí đối với thanh niên xung phong thời kỳ chống Pháp",
                "Ưu đãi trong giáo dục đào tạo đối với người có công với cách mạng và con của họ",
                "Xác nhận vào đơn đề nghị thăm viếng mộ liệt sĩ",
                "Giải quyết chế độ hỗ trợ mua phương tiện trợ giúp, dụng cụ chỉnh hình đối với người có công",
            ),
        ),
        (
            "TREEM",
            (
                "Đăng ký nhận chăm sóc thay thế cho trẻ em đối với cá nhân, người đại diện gia đình "
                "nhận chăm sóc thay thế không phải là người thân thích của trẻ em",
                "Thông báo nhận chăm sóc thay thế cho trẻ em đối với cá nhân, người đại diện gia đình "
                "nhận chăm sóc thay thế là người thân thích của trẻ em",
                "Chuyển trẻ em đang được chăm sóc thay thế tại cơ sở trợ giúp xã hội đến cá nhân, gia "
                "đình nhận chăm sóc thay thế",
            ),
        ),
        (
            "DATDAI",
            (
                "Hòa giải tranh chấp đất đai",
                "Xác nhận nguồn gốc, thời điểm sử dụng đất",
                "Tiếp nhận hồ sơ đăng ký đất đai, tài sản gắn liền với đất lần đầu tại cấp xã",
            ),
        ),
        ("MOITRUONG", ("Đăng ký môi trường đối với hộ gia đình, cá nhân sản xuất, kinh doanh",)),
        (
            "VANHOA",
            (
                "Xét tặng danh hiệu Gia đình văn hóa hằng năm",
                "Xét tặng Giấy khen Gia đình văn hóa",
                "Xét tặng danh hiệu Thôn, tổ dân phố văn hóa",
                "Xét tặng Giấy khen Thôn, tổ dân phố văn hóa",
                "Thông báo tổ chức lễ hội cấp xã",
                "Đăng ký tổ chức lễ hội cấp xã",
                "Công nhận câu lạc bộ thể thao cơ sở",
                "Thông báo thành lập thư viện đối với thư viện cộng đồng",
                "Đăng ký hoạt động thư viện tư nhân có vốn sách ban đầu từ 500 bản đến dưới 1.000 bản",
                "Thông báo chấm dứt hoạt động thư viện cộng đồng",
                "Thông báo sáp nhập, hợp nhất, chia, tách thư viện đối với thư viện cộng đồng",
            ),
        ),
        (
            "TINNGUONG",
            (
                "Đăng ký hoạt động tín ngưỡng",
                "Đăng ký bổ sung hoạt động tín ngưỡng",
                "Thông báo tổ chức lễ hội tín ngưỡng",
                "Đề nghị tổ chức lễ hội tín ngưỡng",
                "Đăng ký người đại diện của cơ sở tín ngưỡng",
            ),
        ),
        (
            "TONGIAO",
            (
                "Đăng ký sinh hoạt tôn giáo tập trung",
                "Thông báo danh mục hoạt động tôn giáo đối với tổ chức có địa bàn hoạt động tôn giáo "
                "ở một xã",
                "Thông báo danh mục hoạt động tôn giáo bổ sung đối với tổ chức có địa bàn hoạt động "
                "tôn giáo ở một xã",
                "Đăng ký thay đổi người đại diện của nhóm sinh hoạt tôn giáo tập trung",
                "Đề nghị thay đổi địa điểm sinh hoạt tôn giáo tập trung trong địa bàn một xã",
                "Đề nghị thay đổi địa điểm sinh hoạt tôn giáo tập trung đến địa bàn xã khác",
                "Thông báo về việc thay đổi địa điểm sinh hoạt tôn giáo tập trung",
                "Thông báo tổ chức quyên góp trong địa bàn một xã của cơ sở tín ngưỡng, tổ chức tôn giáo",
            ),
        ),
        (
            "THIDUA",
            (
                "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã về thành tích thực hiện nhiệm vụ "
                "chính trị",
                "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã về thành tích thi đua theo đợt, "
                "chuyên đề",
                "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã về thành tích đột xuất",
                "Tặng Giấy khen của Chủ tịch Ủy ban nhân dân cấp xã cho gia đình",
            ),
        ),
        (
            "NONGNGHIEP",
            (
                "Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do thiên tai tại cấp xã",
                "Phê duyệt kế hoạch khuyến nông địa phương cấp xã",
                "Chuyển đổi cơ cấu cây trồng trên đất trồng lúa",
                "Công nhận kinh tế trang trại",
                "Đăng ký kê khai số lượng chăn nuôi tập trung và nuôi trồng thủy sản ban đầu",
                "Xác nhận nguồn gốc gỗ, lâm sản khai thác từ vườn nhà, trang trại, cây trồng phân tán",
                "Hỗ trợ đầu tư xây dựng phát triển thủy lợi nhỏ, thủy lợi nội đồng và tưới tiên tiến, "
                "tiết kiệm nước",
            ),
        ),
        (
            "GIAODUC",
            (
                "Thành lập nhóm trẻ, lớp mẫu giáo độc lập",
                "Cho phép nhóm trẻ, lớp mẫu giáo độc lập hoạt động giáo dục",
                "Sáp nhập, chia, tách nhóm trẻ, lớp mẫu giáo độc lập",
                "Giải thể nhóm trẻ, lớp mẫu giáo độc lập",
                "Cho phép nhóm trẻ, lớp mẫu giáo độc lập hoạt động giáo dục trở lại",
                "Thành lập trung tâm học tập cộng đồng",
                "Cho phép trung tâm học tập cộng đồng hoạt động trở lại",
            ),
        ),
        ("YTE", ("Xét hưởng chính sách hỗ trợ cho đối tượng sinh con đúng chính sách dân số",)),
        (
            "NOIVU",
            (
                "Thành lập thôn mới, tổ dân phố mới",
                "Công nhận ban vận động thành lập hội có phạm vi hoạt động trong xã",
                "Thành lập hội có phạm vi hoạt động trong xã",
                "Phê duyệt điều lệ hội có phạm vi hoạt động trong xã",
            ),
        ),
        (
            "KHIEUNAI",
            (
                "Giải quyết khiếu nại lần đầu tại cấp xã",
                "Giải quyết tố cáo tại cấp xã",
                "Tiếp công dân tại cấp xã",
                "Xử lý đơn tại cấp xã",
            ),
        ),
    )
    for n in names
)

VARIANT_PREFIXES = ("Cấp lại ", "Cấp sửa đổi, bổ sung ", "Gia hạn ")
# Procedures that need the person or the paper original in the room: never offered online here.
OFFLINE_WORDS = (
    "lưu động",
    "khiếu nại",
    "tố cáo",
    "Tiếp công dân",
    "Xử lý đơn",
    "tranh chấp",
    "giải trình",
    "di chúc",
    "Tặng",
    "Thu hồi",
    "Hòa giải",
    "cách ly",
)
# Flagship services of the national portal: always offered online, full-process.
ONLINE_FIRST = (
    "Đăng ký khai sinh",
    "Đăng ký khai tử",
    "Đăng ký kết hôn",
    "Cấp bản sao Trích lục",
    "Cấp Giấy xác nhận tình trạng hôn nhân",
    "Liên thông",
    "Đăng ký thành lập hộ kinh doanh",
    "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
    "Chứng thực bản sao điện tử",
)
CERTIFICATION_PREFIXES = ("Chứng thực", "Cấp bản sao có chứng thực", "Sửa lỗi sai sót")


def _hash(*parts: object) -> int:
    text = "|".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def _pick(options: tuple[T, ...], *key: object) -> T:
    return options[_hash(*key) % len(options)]


def _names(
    base: tuple[tuple[str, str, bool], ...], total: int, level: str
) -> list[tuple[str, str]]:
    """The base names, then license variants round-robin until ``total`` (no duplicates)."""
    names = [(field, name) for field, name, _variants in base]
    seen = {name.casefold() for _field, name in names}
    licensed = [(field, name) for field, name, variants in base if variants]
    for prefix in VARIANT_PREFIXES:
        for field, name in licensed:
            if len(names) >= total:
                break
            variant = prefix + name.removeprefix("Cấp ")
            if variant.casefold() not in seen:
                seen.add(variant.casefold())
                names.append((field, variant))
    if len(names) < total:
        raise ValueError(f"{level}: only {len(names)} names for {total} procedures")
    return names[:total]


def _online_rank(name: str) -> int:
    if any(word in name for word in OFFLINE_WORDS):
        return 2
    return 0 if name.startswith(ONLINE_FIRST) else 1


def _online_levels(names: list[tuple[str, str]], online: int, level: str) -> dict[str, str]:
    """Exactly ``online`` procedures offered online, offline-by-nature ones last to get it."""
    order = sorted(
        (name for _f, name in names),
        key=lambda n: (_online_rank(n), _hash(level, n, "online")),
    )
    levels: dict[str, str] = {}
    for rank, name in enumerate(order):
        if rank >= online:
            levels[name] = OnlineLevel.NONE
        elif _online_rank(name) == 0:
            levels[name] = OnlineLevel.FULL
        else:
            # About two in five online services are full-process (Decree 42/2022 Art. 11.1.a).
            full = _hash(level, name, "full") % 5 < 2
            levels[name] = OnlineLevel.FULL if full else OnlineLevel.PARTIAL
    return levels


def _time_limit(spec: FieldSpec, level: str, name: str) -> tuple[int, str]:
    if "khiếu nại" in name or "tố cáo" in name or "tranh chấp" in name:
        return (45, CD) if "lần hai" in name or "Giải quyết tranh chấp" in name else (30, CD)
    if "Tiếp công dân" in name:
        return 8, WH
    if level == ProcedureLevel.COMMUNE and spec.name == "Hộ tịch" and "lưu động" not in name:
        return _pick(((1, WD), (3, WD), (8, WH), (5, WD)), level, name, "limit")
    return _pick(spec.limits, level, name, "limit")


def _fees(spec: FieldSpec, level: str, name: str) -> tuple[Fee, ...]:
    if spec.name == "Chứng thực":
        if name.startswith("Chứng thực bản sao"):
            return (Fee("Hai trang đầu", 2000), Fee("Từ trang thứ ba, mỗi trang", 1000))
        if "chữ ký" in name:
            return (Fee("", 10000),)
        if name.startswith("Sửa lỗi") or name.startswith("Cấp bản sao"):
            return (Fee("", 25000),) if name.startswith("Sửa lỗi") else (Fee("Mỗi trang", 2000),)
        if "Công nhận" in name:
            return ()
        return (Fee("", 50000),)
    if spec.name == "Hộ tịch":
        if level == ProcedureLevel.DISTRICT and "kết hôn" in name:
            return (Fee("", 1000000),)
        if level == ProcedureLevel.DISTRICT:
            return (Fee("", 100000),) if "Đăng ký" in name else (Fee("", 50000),)
        if name.startswith(
            ("Đăng ký khai sinh", "Đăng ký khai tử", "Đăng ký kết hôn", "Liên thông")
        ):
            return ()  # free by law (Law on Civil Status Art. 11)
    if name.startswith("Cấp lại ") or name.startswith("Gia hạn "):
        amount = _pick(spec.fees, level, name, "fee")
        return (Fee("", amount // 2),) if amount >= 20000 else ()
    if "Đăng ký đất đai" in name:
        return (Fee("Lệ phí cấp giấy chứng nhận", 100000), Fee("Phí thẩm định hồ sơ", 500000))
    amount = _pick(spec.fees, level, name, "fee")
    return (Fee("", amount),) if amount else ()


def _components(spec: FieldSpec, level: str, name: str) -> tuple[Component, ...]:
    count = 1 + _hash(level, name, "papers") % min(3, len(spec.papers))
    start = _hash(level, name, "first paper") % len(spec.papers)
    papers = [spec.papers[(start + i) % len(spec.papers)] for i in range(count)]
    components = [Component(spec.form, 1, 0, 0)]
    for paper in papers:
        kind = _hash(level, name, paper) % 3
        components.append(Component(paper, int(kind == 0), int(kind == 1), int(kind == 2)))
    return tuple(components)


def _code(level: str, name: str, used: set[str]) -> str:
    value = _hash(level, name, "code")
    prefix = "1" if value % 3 else "2"
    number = (value // 3) % 12000 + 100
    code = f"{prefix}.{number:06d}"
    while code in used:
        number += 1
        code = f"{prefix}.{number:06d}"
    used.add(code)
    return code


def demo_rows() -> list[ProcedureRow]:
    """The 371 procedures of the demo catalogue, city level first."""
    rows: list[ProcedureRow] = []
    used: set[str] = set()
    for level, base, total, online in (
        (ProcedureLevel.DISTRICT, DISTRICT_BASE, DISTRICT_TOTAL, DISTRICT_ONLINE),
        (ProcedureLevel.COMMUNE, COMMUNE_BASE, COMMUNE_TOTAL, COMMUNE_ONLINE),
    ):
        names = _names(base, total, level)
        online_levels = _online_levels(names, online, level)
        for field_code, name in names:
            spec = FIELDS[field_code]
            limit, unit = _time_limit(spec, level, name)
            online_level = online_levels[name]
            online_limit = None
            # Some online services promise a shorter limit (§1.6).
            shorter = _hash(level, name, "online limit") % 4 == 0
            if online_level != OnlineLevel.NONE and unit == WD and limit >= 5 and shorter:
                online_limit = limit - 2
            district = level == ProcedureLevel.DISTRICT
            rows.append(
                ProcedureRow(
                    line=0,
                    code=_code(level, name, used),
                    name=name,
                    field_code=field_code,
                    field_name=spec.name,
                    level=level,
                    agency_code=spec.agency if district else "",
                    competent_body="" if district else COMMUNE_BODY,
                    time_limit=limit,
                    time_limit_unit=unit,
                    online_time_limit=online_limit,
                    fees=_fees(spec, level, name),
                    is_certification=name.startswith(CERTIFICATION_PREFIXES),
                    online_level=online_level,
                    components=_components(spec, level, name),
                    valid_from=_pick(START_DATES, level, name, "start"),
                    valid_to=None,
                )
            )
    return rows


def write_demo_catalog(path: Path) -> int:
    """Write the demo catalogue file; returns the number of procedures."""
    rows = demo_rows()
    write_file(path, rows)
    return len(rows)


# -- the two-level government (from 1/7/2025) ---------------------------------------------------

# The district tier ended on 30/06/2025 (§10.2). Every former city-level procedure gets a new
# version from that day: the commune's People's Committee settles it (UBND cấp xã), or, where
# the province took the authority, a provincial department. Which field went where is our best
# understanding of the 2025 decrees dividing authority between the two levels; the article-level
# texts were not read, so every line is marked assumed (da_xac_minh = không) in the basis file.
TWO_LEVEL_START = date(2025, 7, 1)
COMMUNE_BASIS = (
    "Luật Tổ chức chính quyền địa phương 2025; Nghị định 118/2025/NĐ-CP; các nghị định năm 2025 "
    "phân định thẩm quyền của chính quyền địa phương hai cấp (số hiệu, điều khoản chưa xác minh)"
)
PROVINCE_BASIS = (
    "Nghị định 118/2025/NĐ-CP; nghị định năm 2025 phân định thẩm quyền của chính quyền địa "
    "phương hai cấp trong lĩnh vực %s (số hiệu, điều khoản chưa xác minh)"
)
# Fields whose former city-level procedures went to a provincial department (assumed).
PROVINCE_FIELDS: dict[str, str] = {
    "NUOICONNUOI": "STP-19",
    "BOITHUONG": "STP-19",
    "TONGIAO": "SDTTG-19",
    "NOIVU": "SNV-19",
    "TAICHINH": "STC-19",
}
BASIS_COLUMNS = (
    "ma_linh_vuc",
    "ten_linh_vuc",
    "cap_thuc_hien",
    "ma_co_quan",
    "hieu_luc_tu",
    "can_cu",
    "da_xac_minh",
)


def two_level_rows() -> list[ProcedureRow]:
    """The versions from 1/7/2025 of the 257 former city-level procedures, same content but
    for the level and the competent body (time limits and fees are not changed here)."""
    rows = []
    for row in demo_rows():
        if row.level != ProcedureLevel.DISTRICT:
            continue
        agency = PROVINCE_FIELDS.get(row.field_code, "")
        rows.append(
            ProcedureRow(
                **{
                    **row.__dict__,
                    "level": ProcedureLevel.PROVINCE if agency else ProcedureLevel.COMMUNE,
                    "agency_code": agency,
                    "competent_body": "" if agency else COMMUNE_BODY,
                    "valid_from": TWO_LEVEL_START,
                    "valid_to": None,
                }
            )
        )
    return rows


def two_level_basis() -> list[tuple[str, ...]]:
    """One line per field of the former city level: where it went and on what basis."""
    lines: list[tuple[str, ...]] = []
    for code, spec in FIELDS.items():
        agency = PROVINCE_FIELDS.get(code, "")
        lines.append(
            (
                code,
                spec.name,
                "tỉnh" if agency else "xã",
                agency,
                f"{TWO_LEVEL_START:%d/%m/%Y}",
                PROVINCE_BASIS % spec.name.lower() if agency else COMMUNE_BASIS,
                "không",
            )
        )
    return lines


def write_two_level_catalog(path: Path, basis_path: Path) -> int:
    """Write the 1/7/2025 versions (import format) and their basis file; returns the rows."""
    rows = two_level_rows()
    write_file(path, rows)
    with basis_path.open("w", encoding="utf-8-sig", newline="") as handle:
        write_csv(handle, BASIS_COLUMNS, two_level_basis())
    return len(rows)
