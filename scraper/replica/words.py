"""Word and phrase pools for procedurally generated Vietnamese police news.

Written by hand for the replica so that generated pages read like the portal's
(local place names, units, police-news verbs) without copying any real article.
Everything here is NFC; ``site.py`` normalises again after assembly.
"""

from __future__ import annotations

#: Known category aliases of the live portal with their menu names, in menu order.
KNOWN_CATEGORIES: list[tuple[str, str]] = [
    ("an-ninh-trat-tu", "An ninh trật tự"),
    ("hoat-dong-cua-ca-lai-chau", "Hoạt động của CA Lai Châu"),
    ("hoat-dong-xa-hoi", "Hoạt động xã hội"),
    ("cong-an-nhan-dan", "Công an nhân dân"),
    ("thu-doan-pham-toi", "Thủ đoạn phạm tội"),
    ("thong-bao", "Thông báo"),
    ("chong-dien-bien-hoa-binh-22", "Chống diễn biến hòa bình"),
]

#: Plausible extra categories used when more than the known ones are asked for.
EXTRA_CATEGORIES: list[str] = [
    "Phòng chống ma túy",
    "An toàn giao thông",
    "Xây dựng lực lượng",
    "Phòng cháy chữa cháy",
    "Cải cách hành chính",
    "Gương người tốt việc tốt",
    "Văn bản pháp luật",
    "Tuổi trẻ Công an",
]

PLACES: list[str] = [
    "huyện Phong Thổ", "huyện Tam Đường", "huyện Sìn Hồ", "huyện Mường Tè",
    "huyện Nậm Nhùn", "huyện Than Uyên", "huyện Tân Uyên", "thành phố Lai Châu",
    "xã Bản Lang", "xã Mường So", "xã Pa Tần", "xã Ka Lăng", "phường Đông Phong",
    "xã Sơn Bình", "xã Bum Nưa", "thị trấn Than Uyên",
]

UNITS: list[str] = [
    "Công an tỉnh Lai Châu",
    "Công an huyện Phong Thổ",
    "Công an huyện Tam Đường",
    "Công an huyện Sìn Hồ",
    "Công an huyện Mường Tè",
    "Công an huyện Than Uyên",
    "Công an thành phố Lai Châu",
    "Phòng Cảnh sát điều tra tội phạm về ma túy",
    "Phòng Cảnh sát giao thông",
    "Phòng An ninh điều tra",
    "Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ",
    "Đoàn Thanh niên Công an tỉnh",
    "Phòng Cảnh sát quản lý hành chính về trật tự xã hội",
]

CRIME_ACTIONS: list[str] = [
    "bắt giữ đối tượng mua bán trái phép chất ma túy",
    "triệt phá đường dây đánh bạc qua mạng",
    "khởi tố vụ án lừa đảo chiếm đoạt tài sản",
    "bắt quả tang đối tượng vận chuyển pháo nổ",
    "điều tra làm rõ vụ trộm cắp tài sản",
    "phát hiện, xử lý nhóm thanh thiếu niên gây rối trật tự công cộng",
    "thu giữ {n} bánh heroin",
    "tạm giữ {n} phương tiện vi phạm nồng độ cồn",
    "khởi tố {n} bị can về tội tàng trữ trái phép chất ma túy",
    "làm rõ đối tượng khai thác khoáng sản trái phép",
]

EVENT_ACTIONS: list[str] = [
    "tổ chức Hội nghị sơ kết công tác 6 tháng đầu năm {y}",
    "ra quân hưởng ứng Tháng Thanh niên năm {y}",
    "trao tặng {n} suất quà cho hộ nghèo",
    "tổ chức tuyên truyền pháp luật cho đồng bào dân tộc thiểu số",
    "tổng kết phong trào Toàn dân bảo vệ an ninh Tổ quốc năm {y}",
    "tập huấn nghiệp vụ phòng cháy, chữa cháy",
    "phối hợp làm căn cước công dân lưu động tại {place}",
    "hỗ trợ người dân khắc phục hậu quả mưa lũ",
    "khen thưởng {n} tập thể có thành tích xuất sắc",
    "ký kết quy chế phối hợp bảo đảm an ninh trật tự",
    'hưởng ứng "Ngày hội toàn dân bảo vệ an ninh Tổ quốc" năm {y}',
]

NOTICE_TITLES: list[str] = [
    "Thông báo truy tìm chủ sở hữu phương tiện vi phạm",
    "Thông báo tìm người bị hại trong vụ án lừa đảo",
    "Thông báo kết quả tuyển sinh Công an nhân dân năm {y}",
    "Thông báo về việc tiếp nhận hồ sơ cấp căn cước",
    "Cảnh báo thủ đoạn lừa đảo giả danh cơ quan Công an",
    "Cảnh giác với thủ đoạn chiếm đoạt tài khoản mạng xã hội",
    "Quyết định truy nã đối tượng số {n}/QĐ-CSĐT",
    "Hướng dẫn thực hiện Nghị định {n}/{y}/NĐ-CP",
]

SUBJECTS: list[str] = [
    "đối tượng Lò Văn {name}", "đối tượng Vàng A {name}", "đối tượng Nguyễn Văn {name}",
    "đối tượng Lý Thị {name}", "đối tượng Giàng A {name}", "đối tượng Tẩn Văn {name}",
]

NAMES: list[str] = [
    "Sáng", "Pử", "Hùng", "Dương", "Chinh", "Lả", "Phừ", "Quyết", "Mai", "Nhàn",
    "Tiến", "Thào", "Sính", "Khoa", "Lâm", "Dế",
]

OPENINGS: list[str] = [
    "Vào khoảng {h} giờ ngày {d}/{m}, tại {place}, tổ công tác của {unit} phát hiện {subject} có biểu hiện nghi vấn.",
    "Thực hiện kế hoạch cao điểm tấn công, trấn áp tội phạm, {unit} đã triển khai nhiều biện pháp"
    " nghiệp vụ tại {place}.",
    "Ngày {d}/{m}/{y}, {unit} tổ chức hội nghị với sự tham dự của lãnh đạo các phòng, đơn vị.",
    "Sau thời gian theo dõi, {unit} phối hợp với lực lượng Bộ đội Biên phòng bắt giữ {subject}.",
    "Nhằm nâng cao ý thức chấp hành pháp luật của nhân dân, {unit} đã tổ chức nhiều buổi tuyên truyền tại {place}.",
]

SENTENCES: list[str] = [
    "Qua kiểm tra, lực lượng chức năng thu giữ {n} gói ma túy tổng hợp cùng nhiều tang vật liên quan.",
    "Tại cơ quan Công an, {subject} đã khai nhận toàn bộ hành vi phạm tội của mình.",
    "Hiện vụ việc đang được {unit} tiếp tục điều tra, mở rộng để xử lý theo quy định của pháp luật.",
    "Hội nghị đã đánh giá kết quả đạt được, chỉ ra những tồn tại, hạn chế và đề ra giải pháp trong thời gian tới.",
    "Dịp này, {n} tập thể và cá nhân có thành tích xuất sắc đã được khen thưởng.",
    "Lãnh đạo {unit} đề nghị các đơn vị tiếp tục bám cơ sở, nắm chắc tình hình địa bàn.",
    "Người dân cần nâng cao cảnh giác, không cung cấp thông tin cá nhân cho người lạ qua điện thoại.",
    "Mọi thông tin liên quan xin liên hệ cơ quan Công an gần nhất hoặc số điện thoại 069.2{n}.",
    "Chương trình nhận được sự hưởng ứng nhiệt tình của đông đảo quần chúng nhân dân tại {place}.",
    "Lực lượng Công an đã lập biên bản, tạm giữ phương tiện để tiếp tục xử lý.",
    "Công tác bảo đảm an ninh trật tự trên địa bàn {place} cơ bản ổn định, không để xảy ra đột xuất, bất ngờ.",
    "Đây là hoạt động thiết thực nhằm xây dựng hình ảnh đẹp của người chiến sĩ Công an nhân dân.",
]

CAPTIONS: list[str] = [
    "Đối tượng cùng tang vật tại cơ quan Công an",
    "Quang cảnh hội nghị",
    "Lực lượng chức năng kiểm tra hành chính tại {place}",
    "Lãnh đạo {unit} phát biểu chỉ đạo",
    "Cán bộ, chiến sĩ trao quà cho người dân {place}",
    "Tổ công tác tuyên truyền pháp luật cho nhân dân",
]

AUTHORS: list[str] = [
    "Hoàng Tuấn", "Thu Hà", "Minh Đức", "Ngọc Ánh", "Văn Thắng", "Thanh Hương",
    "Đức Anh", "Lan Phương",
]

SOURCES: list[str] = [
    "Phòng Tham mưu", "Công an huyện Phong Thổ", "Báo Lai Châu", "Công an huyện Than Uyên",
    "Đoàn Thanh niên Công an tỉnh",
]

TAGS: list[str] = [
    "an ninh", "ma túy", "trật tự", "giao thông", "lừa đảo", "phòng cháy",
    "tuyên truyền", "căn cước", "biên giới", "thanh niên", "khen thưởng", "dân vận",
    "đánh bạc", "tội phạm mạng", "cứu hộ", "an sinh",
]

# ----- another NukeViet portal (``portal.py``): a second news module and modules that are not news --

#: The second news module's categories: notices, warnings, and one alias the first module uses too
#: (aliases are unique within a module only).
NOTICE_CATEGORIES: list[tuple[str, str]] = [
    ("thong-bao-chung", "Thông báo chung"),
    ("canh-bao", "Cảnh báo thủ đoạn phạm tội"),
    ("an-ninh-trat-tu", "Thông báo an ninh trật tự"),
]

#: Items of the page module ("Giới thiệu"): alias, title, paragraphs. One alias ends in a number,
#: so its address has an article's shape.
ABOUT_PAGES: list[tuple[str, str, list[str]]] = [
    ("chuc-nang-nhiem-vu", "Chức năng, nhiệm vụ", [
        "Công an huyện là cơ quan tham mưu cho cấp ủy, chính quyền địa phương về công tác bảo đảm an ninh,"
        " trật tự trên địa bàn.",
        "Đơn vị trực tiếp tổ chức phòng ngừa, đấu tranh với các loại tội phạm và vi phạm pháp luật.",
    ]),
    ("co-cau-to-chuc-2", "Cơ cấu tổ chức", [
        "Bộ máy gồm Ban Chỉ huy, các đội nghiệp vụ và Công an các xã, thị trấn.",
        "Mỗi đội phụ trách một lĩnh vực: điều tra, cảnh sát giao thông, quản lý hành chính và xây dựng phong trào.",
    ]),
    ("lich-su-truyen-thong", "Lịch sử truyền thống", [
        "Trải qua nhiều giai đoạn xây dựng và trưởng thành, lực lượng Công an huyện luôn gắn bó với nhân dân các dân tộc.",
        "Nhiều tập thể, cá nhân đã được tặng thưởng Huân chương vì thành tích bảo vệ an ninh Tổ quốc.",
    ]),
]

#: Legal documents (the laws module "Văn bản"): kinds of document and what they are about.
DOCUMENT_KINDS: list[tuple[str, str]] = [
    ("QĐ", "Quyết định"), ("KH", "Kế hoạch"), ("HD", "Hướng dẫn"), ("CV", "Công văn"), ("TB", "Thông báo"),
]
DOCUMENT_SUBJECTS: list[str] = [
    "ban hành quy chế phối hợp bảo đảm an ninh trật tự tại {place}",
    "triển khai đợt cao điểm tấn công, trấn áp tội phạm năm {y}",
    "tổ chức tuyên truyền phòng, chống ma túy trong trường học",
    "kiểm tra an toàn phòng cháy, chữa cháy tại các cơ sở kinh doanh",
    "thực hiện cấp căn cước cho công dân trên địa bàn {place}",
    "bảo đảm trật tự an toàn giao thông dịp Tết Nguyên đán năm {y}",
    "tiếp nhận và giải quyết tin báo, tố giác tội phạm",
    "xây dựng mô hình tổ tự quản về an ninh trật tự ở khu dân cư",
]
SIGNERS: list[str] = ["Nguyễn Văn Hưng", "Lò Thị Hoa", "Trần Minh Quân", "Vàng A Dơ", "Phạm Thu Trang"]

#: The contact module's page.
CONTACT_LINES: list[str] = [
    "Địa chỉ: Tổ dân phố số 3, thị trấn Tam Đường, tỉnh Lai Châu.",
    "Điện thoại trực ban: 0213.3875.113.",
    "Người dân có thể gửi tin báo, phản ánh về an ninh trật tự qua biểu mẫu dưới đây.",
]
