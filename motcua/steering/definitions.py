"""The indicators the seed's steering committee reviews (seed README, digital-transformation
paragraph), as data. Loaded on every install by migration 0002 and again, idempotently, by
``steering.services.indicator_definitions_load``.

Names are Vietnamese, as they appear in the committee's reports; they are data, like unit and
procedure names. A rate's numerator may not exceed its denominator: every rate here is a share.
"""

from __future__ import annotations

from typing import Any

# Codes the rest of the project may rely on (the briefing reads these).
EID_ACCOUNTS = "eid_accounts"
DIGITAL_SIGNATURE = "digital_signature"
FIBRE_HOUSEHOLDS = "fibre_households"
MOBILE_COVERAGE = "mobile_coverage"
AGENCY_FIBRE = "agency_fibre"
COMMUNITY_SUPPORT = "community_support"
ONLINE_SERVICES_DISTRICT = "online_services_district"
ONLINE_SERVICES_COMMUNE = "online_services_commune"
ONLINE_PAYMENT = "online_payment"
DIGITISATION = "digitisation"
E_CERTIFICATION = "e_certification"

# Field values of IndicatorDefinition, by code. ``level`` is the lowest administrative level
# the indicator is recorded at (it applies there and above).
DEFINITIONS: tuple[dict[str, Any], ...] = (
    {
        "code": EID_ACCOUNTS,
        "position": 10,
        "name": "Tài khoản định danh điện tử đã kích hoạt (mức độ 1 và mức độ 2)",
        "unit_of_measure": "tài khoản",
        "shape": "count",
        "numerator_label": "Số tài khoản định danh điện tử đã kích hoạt",
        "denominator_label": "",
        "source": "Công an thành phố (hệ thống định danh và xác thực điện tử, VNeID)",
        "frequency": "month",
        "kind": "entered",
        "computed_from": "",
        "level": "commune",
        "decimals": 0,
    },
    {
        "code": DIGITAL_SIGNATURE,
        "position": 20,
        "name": "Người trong độ tuổi lao động có chữ ký số hoặc chữ ký điện tử công cộng",
        "unit_of_measure": "người",
        "shape": "rate",
        "numerator_label": "Số người có chữ ký số hoặc chữ ký điện tử công cộng",
        "denominator_label": "Số người trong độ tuổi lao động",
        "source": "Phòng Văn hóa và Thông tin; các tổ chức cung cấp dịch vụ chứng thực chữ ký số",
        "frequency": "quarter",
        "kind": "entered",
        "computed_from": "",
        "level": "commune",
        "decimals": 2,
    },
    {
        "code": FIBRE_HOUSEHOLDS,
        "position": 30,
        "name": "Hộ gia đình có kết nối internet băng rộng cáp quang",
        "unit_of_measure": "hộ gia đình",
        "shape": "rate",
        "numerator_label": "Số hộ gia đình có kết nối internet băng rộng cáp quang",
        "denominator_label": "Tổng số hộ gia đình",
        "source": "Các doanh nghiệp viễn thông; Phòng Văn hóa và Thông tin",
        "frequency": "quarter",
        "kind": "entered",
        "computed_from": "",
        "level": "commune",
        "decimals": 2,
    },
    {
        "code": MOBILE_COVERAGE,
        "position": 40,
        "name": "Xã, phường được phủ sóng di động 2G/3G/4G",
        "unit_of_measure": "xã, phường",
        "shape": "rate",
        "numerator_label": "Số xã, phường được phủ sóng 2G/3G/4G",
        "denominator_label": "Tổng số xã, phường",
        "source": "Các doanh nghiệp viễn thông; Phòng Văn hóa và Thông tin",
        "frequency": "half",
        "kind": "entered",
        "computed_from": "",
        "level": "district",
        "decimals": 2,
    },
    {
        "code": AGENCY_FIBRE,
        "position": 50,
        "name": "Cơ quan, đơn vị được kết nối đường truyền cáp quang",
        "unit_of_measure": "cơ quan, đơn vị",
        "shape": "rate",
        "numerator_label": "Số cơ quan, đơn vị có đường truyền cáp quang",
        "denominator_label": "Tổng số cơ quan, đơn vị",
        "source": "Phòng Văn hóa và Thông tin",
        "frequency": "half",
        "kind": "entered",
        "computed_from": "",
        "level": "commune",
        "decimals": 2,
    },
    {
        "code": COMMUNITY_SUPPORT,
        "position": 60,
        "name": "Lượt người dân được Tổ công nghệ số cộng đồng hướng dẫn, hỗ trợ",
        "unit_of_measure": "lượt người",
        "shape": "count",
        "numerator_label": (
            "Số lượt người dân được hướng dẫn, hỗ trợ thực hiện dịch vụ công trực tuyến"
        ),
        "denominator_label": "",
        "source": "Tổ công nghệ số cộng đồng cấp xã, phường",
        "frequency": "month",
        "kind": "entered",
        "computed_from": "",
        "level": "commune",
        "decimals": 0,
    },
    {
        "code": ONLINE_SERVICES_DISTRICT,
        "position": 110,
        "name": "Dịch vụ công trực tuyến toàn trình và một phần cấp huyện, thành phố",
        "unit_of_measure": "thủ tục hành chính",
        "shape": "rate",
        "numerator_label": "Số thủ tục cung cấp dịch vụ công trực tuyến toàn trình hoặc một phần",
        "denominator_label": "Số thủ tục hành chính cấp huyện đang có hiệu lực",
        "source": "Danh mục thủ tục hành chính của hệ thống (tự tính)",
        "frequency": "month",
        "kind": "computed",
        "computed_from": "online_services_district",
        "level": "district",
        "decimals": 2,
    },
    {
        "code": ONLINE_SERVICES_COMMUNE,
        "position": 120,
        "name": "Dịch vụ công trực tuyến toàn trình và một phần cấp xã, phường",
        "unit_of_measure": "thủ tục hành chính",
        "shape": "rate",
        "numerator_label": "Số thủ tục cung cấp dịch vụ công trực tuyến toàn trình hoặc một phần",
        "denominator_label": "Số thủ tục hành chính cấp xã đang có hiệu lực",
        "source": "Danh mục thủ tục hành chính của hệ thống (tự tính)",
        "frequency": "month",
        "kind": "computed",
        "computed_from": "online_services_commune",
        "level": "commune",
        "decimals": 2,
    },
    {
        "code": ONLINE_PAYMENT,
        "position": 130,
        "name": "Hồ sơ thanh toán trực tuyến thành công",
        "unit_of_measure": "hồ sơ",
        "shape": "rate",
        "numerator_label": "Số hồ sơ thanh toán trực tuyến",
        "denominator_label": "Số hồ sơ có nghĩa vụ tài chính",
        "source": "Hồ sơ một cửa của hệ thống (tự tính, Quyết định 766 chỉ số 3.6)",
        "frequency": "month",
        "kind": "computed",
        "computed_from": "online_payment",
        "level": "commune",
        "decimals": 2,
    },
    {
        "code": DIGITISATION,
        "position": 140,
        "name": "Tỷ lệ số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
        "unit_of_measure": "hồ sơ",
        "shape": "rate",
        "numerator_label": "Số hồ sơ được số hóa",
        "denominator_label": "Số hồ sơ tiếp nhận",
        "source": "Hồ sơ một cửa của hệ thống (tự tính, Quyết định 766 chỉ số 4.2)",
        "frequency": "month",
        "kind": "computed",
        "computed_from": "digitisation",
        "level": "commune",
        "decimals": 0,
    },
    {
        "code": E_CERTIFICATION,
        "position": 150,
        "name": "Tỷ lệ chứng thực bản sao điện tử",
        "unit_of_measure": "hồ sơ",
        "shape": "rate",
        "numerator_label": "Số hồ sơ chứng thực bản sao điện tử",
        "denominator_label": "Số hồ sơ chứng thực",
        "source": "Hồ sơ một cửa của hệ thống (tự tính)",
        "frequency": "month",
        "kind": "computed",
        "computed_from": "e_certification",
        "level": "commune",
        "decimals": 0,
    },
)
