"""Redact personal data from free-text answers and complaints so they can be analysed and exported."""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["redact"]

_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĘĚĞİĶĹĽŁŃŇŐŒŘŚŞŠŢŤŪŮŰŹŻŽА-ЯЁ"
_CAP = rf"[{_UP}][^\W\d_]*"
_WORD = r"[^\W\d_](?:\.|[\w'’-]*)"  # a word, or an initial with its dot
_WORD_RE = re.compile(_WORD)
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WN = rf"[^\W{_CJK}]"  # a word character other than CJK: Chinese and Japanese put digits right after words
# Every pattern below is either bounded or anchored by a look-behind so that it cannot start inside a
# run of the characters it consumes: that keeps each pass linear on hostile input.

_URL = re.compile(r"(?:(?<![\w@.])www\.|(?<!\w)https?://)[^\s<>\"“”]+", re.IGNORECASE)
_AT = r"\s?[(\[{<]\s?(?:at|AT)\s?[)\]}>]\s?"
_DOT = r"\s?[(\[{<]\s?(?:dot|DOT)\s?[)\]}>]\s?"
_EMAIL = re.compile(
    rf"(?:(?<![\w.+%-])[{_CJK}]+|(?<!{_WN})(?<![.+%-])(?:{_WN}|[.+%-])+)"
    rf"(?:(?:@|＠|{_AT})[\w.-]+(?:\.|{_DOT})|\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)*\s+dot\s+)"
    rf"(?:[^\W\d_{_CJK}]{{2,}}|[{_CJK}]{{2,}})"
)

_END = r"(?!\d|[.,/-]\d)"
_AMT = r"(?:\d{1,3}(?:[.,]\d{3})+|\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:[.,]\d{1,2})?"
_CUR = r"[$€£¥₩₺₽₹]|R\$|US\$|Rp\.?|USD|EUR|GBP|RUB|TRY|TL|BRL|CNY|RMB|JPY|KRW|IDR|SAR|AED|MXN"
_CUR_AFTER = (
    rf"{_CUR}|[元円원]|руб|р\.|ريال|جنيه|درهم"
    r"|(?i:euros?|dollars?|rupiah|reais|reales|yuan|yen|liras?|rubles?|рубл\w*|pesos|won|riyals?)\b"
)
# Dates, year ranges, prices and thousands-grouped amounts look like phone numbers but are kept.
_KEEP = (
    r"(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2})"
    r"|(?:19|20)\d\d(?:(?:\s?[-–/]\s?|\s)(?:19|20)\d\d|(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))"
    rf"|\d{{1,3}}(?:[.,]\d{{3}}){{2,}}(?:[.,]\d{{1,2}})?|\d{{1,2}}(?:[ \u00a0]\d{{3}}){{2,}}){_END}"
    rf"|(?:{_CUR})\s?{_AMT}|{_AMT}\s?(?:{_CUR_AFTER})"
)
_PHONE = (
    rf"(?<!{_WN})(?<![#+/-])(?<!\d[.,])(?:\+\s?\d{{1,20}}|\(\+?\d{{1,5}}\)[ .-]?\d{{2,14}}|\d{{1,20}})"
    rf"(?:(?:\s?[-–]\s?|[ \u00a0./])(?:\(\d{{1,5}}\)[ .-]?)?\d{{2,14}}){{0,7}}(?!{_WN}|[.,/-]\d)"
)
_NUMERIC = re.compile(
    rf"(?P<iban>(?<!{_WN})(?<!-)[A-Z]{{2}}[0-9]{{2}}(?: ?[A-Z0-9]{{4}}){{2,7}}(?: ?[A-Z0-9]{{1,3}})?(?![\w-]))"
    rf"|(?P<keep>(?<!{_WN})(?:{_KEEP}))"
    rf"|(?P<card>(?<!{_WN})(?<![+#/-])(?<!\d[.,])(?:\d{{4}}(?:[ -]\d{{4}}){{3,4}}|\d{{4}}[ -]\d{{6}}[ -]\d{{4,5}}"
    rf"|\d{{12,}})(?!{_WN}|[.,/-]\d))"
    rf"|(?P<phone>{_PHONE})"
)


def _iban_ok(compact: str) -> bool:
    if len(compact) < 15 or sum(c.isdigit() for c in compact) < 10:
        return False
    return int("".join(str(int(c, 36)) for c in compact[4:] + compact[:4])) % 97 == 1


def _numeric(m: re.Match[str]) -> str:
    s = m.group()
    if m.group("keep") is not None:
        return s
    if m.group("iban") is not None:
        compact = s.replace(" ", "")
        # Letter+digit order references are left alone unless they are grouped like an IBAN or check out.
        grouped = " " in s and len(compact) >= 15 and sum(c.isdigit() for c in compact) >= 10
        return "[number]" if grouped or _iban_ok(compact) else s
    if m.group("card") is not None:
        return "[number]"
    groups = re.findall(r"\d+", s)
    digits = sum(map(len, groups))
    if digits < 7 or re.fullmatch(r"\d+[.,]\d+", s):
        return s
    # Short all-small groups without a trunk prefix are scores or sizes ("10 10 9 10"), not a phone.
    if not (s[0] in "+(" or s.startswith("0") or max(map(len, groups)) >= 3):
        return s
    return "[number]" if digits > 15 else "[phone]"


_UNITS = (
    r"(?:(?:min|minutos|minutes|horas?|hours?|d[ií]as|days?|km|semanas|weeks?|meses|months?|anos|años"
    r"|years?|menit|jam|hari|мин\w*|час\w*|дн\w*)\b|%|€)"
)
_STREET_PRE = (
    r"calle|c/|avenida|avda\.|av\.|paseo|plaza|pza\.|camino|carrera|carretera|ctra\.|ronda|traves[ií]a"
    r"|glorieta|rua|travessa|pra[çc]a|largo|alameda|estrada|rodovia|ул\.|улица|пр\.|пр-т|проспект|пер\."
    r"|переулок|шоссе|бульвар|наб\.|набережная|пл\.|площадь|мкр\.?|микрорайон|ul\.|ulitsa|prospekt"
    r"|jl\.|jln\.|jalan|شارع"
)
_HOUSE = (
    r"(?:(?:no|nº|n\.?º|núm|número|numero|nr|д|дом|رقم)\.?\s?[:.]?\s*)?[0-9٠-٩]{1,5}[a-zа-я]?"
    r"(?:\s?[/-]\s?[0-9]{1,4})?(?:,?\s*(?:кв|корп|стр|эт|piso|puerta|apt|apto|andar|daire|kat|lt|lantai)"
    r"\.?\s*[0-9]{1,4}[a-zа-я]?)*"
)
_PART = r"(?:(?:des|de|du|la|les|le)\b|[dl]['’])"
_CITY = rf"{_CAP}(?:[ -](?:(?:de|do|da|del|am|an|la|sur|im)[ ])?{_CAP}){{0,2}}"
_NOT_CITY = r"(?:Rupiah|Euros?|Dollars?|Reais|Liras?|Yuan|Yen|Won|Rubles?|Pesos|Km|Min)\b"
_TR_ST = r"(?:Cd|Cad|Caddesi|Sk|Sok|Sokak|Sokağı|Bulvarı|Blv|Mah|Mahallesi)\b\.?"
_PC = r"(?:(?![我住在的是到送寄地址为了从往去请给和])[一-龥々ァ-ヶー])"  # a place-name character
_CJK_NUM = r"(?:[0-9０-９]++(?:(?:[-−ー－の]|丁目|番地?|号|號|室|楼|樓|栋|棟|单元|层|階)[0-9０-９]*+)++)"
_ADMIN = rf"{_PC}{{1,6}}?(?:省|市|区|區|县|縣|镇|鎮|都|府|県|町|村|郡)"
_LABEL = (
    r"address|home address|dirección|direccion|domicilio|adresse|anschrift|адрес|endereço|endereco|morada"
    r"|adres|adresim|alamat|عنوان|العنوان|住所|地址|주소"
)
_ADDRESSES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, f)
    for p, f in (
        (rf"(?<!\w)((?i:{_LABEL})[ \t]*[:：][ \t]*)[^\n]+?(?=[.!?]\s|[。！？\n]|\Z)", 0),
        (rf"(?<!\w)(?:{_STREET_PRE})[ \t]*(?:{_WORD}[ \t,،]+){{1,5}}?{_HOUSE}(?!\w|[.,]\d|\s*{_UNITS})", re.I),
        (
            rf"(?<![\w.,])\d{{1,5}}[A-Za-z]?,?[ \t]+(?:(?:[NSEW]\.?|\d{{1,3}}(?:st|nd|rd|th)|{_CAP})[ \t]+){{1,4}}"
            r"(?i:(?:street|road|avenue|lane|drive|boulevard|court|way|place|terrace|close|crescent|square"
            r"|highway|parkway)\b|(?:st|rd|ave|ln|dr|blvd|ct|pl|sq|hwy|pkwy)\b\.?)"
            r"(?:,?[ \t]*(?:Apt|Apartment|Suite|Ste|Unit|Flat|#)\.?[ \t]*#?\w{1,5})?",
            0,
        ),
        (
            rf"(?<![\w.,])\d{{1,4}}(?:[ \t]?(?:bis|ter))?,?[ \t]+(?i:rue|avenue|av\.|boulevard|bd|place|allée"
            rf"|chemin|impasse|quai|route)[ \t]+(?:{_PART}[ \t]*)*+{_WORD}(?:[ \t-]+(?:{_PART}[ \t]*)*+{_CAP}){{0,3}}",
            0,
        ),
        (
            rf"(?<![\w-])[{_UP}][\w-]+?[ \t]?(?i:straße|strasse|str\.|weg|platz|allee|gasse|damm|ufer|chaussee)"
            r"[ \t]*\d{1,4}(?:[ \t]?[a-zA-Z](?!\w))?(?!\w|[.,]\d)",
            0,
        ),
        (
            rf"(?<!\w)(?:{_CAP}[ \t]+){{1,3}}{_TR_ST}(?:,?[ \t]+(?:{_CAP}[ \t]+){{1,3}}{_TR_ST}){{0,3}}+,?[ \t]*"
            r"(?:[Nn]o[ \t]?[:.]?[ \t]?)?\d{1,5}(?:[ \t]?/[ \t]?\d{1,4})?(?!\w)",
            0,
        ),
        (
            r"(?<![\w+./-])(?<!\d[ .-])(?:[A-Z]{1,2}-\d{4,5}|\d{5}(?:-\d{3,4})?|\d{6}|\d{4}-\d{3}|\d{4} ?[A-Z]{2})"
            rf"[ \t]+(?!{_NOT_CITY}){_CITY}",
            0,
        ),
        (r"(?<![\w-])(?:[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d)(?![\w-])", 0),
        (r"(?<=, )[A-Z]{2}[ \t]+\d{5}(?:-\d{4})?(?!\w)", 0),
        (r"(?<!\w)RT\.?[ \t]?\d{1,3}[ \t]?/?[ \t]?RW\.?[ \t]?\d{1,3}(?!\w)", 0),
        (r"(?<!\w)(?:p\.?[ \t]?o\.?[ \t]?box|apartado(?: de correos)?|caixa postal|postfach|ص\.[ \t]?ب\.?|а/я)"
         r"[ \t]*\d{1,6}", re.I),
        (r"(?<!\w)(?:Apt|Apto|Apartment|Flat|Suite|кв)\.?[ \t]*#?\d{1,4}[A-Za-z]?(?!\w)", 0),
        (r"〒[ \t]?[0-9０-９]{3}[-−ー－]?[0-9０-９]{4}", 0),
        (rf"(?<!{_PC})(?:(?:{_ADMIN}){{1,6}}+{_PC}{{0,8}}+{_CJK_NUM}|(?:{_ADMIN}){{2,4}}+"
         rf"|{_PC}{{1,8}}?(?:路|街|大道|巷|弄|胡同){_CJK_NUM}|(?<![0-9０-９])[0-9０-９]+(?:丁目|番地){_CJK_NUM}?)", 0),
        (
            r"(?<![가-힣0-9])(?:[가-힣]{1,6}(?:특별시|광역시|시|도|구|군)\s){0,4}+[가-힣0-9]{1,10}?(?:로|길)\s?\d+(?:-\d+)?"
            r"(?:,?\s?\d+(?:동|층|호))*(?![0-9가-힣])|(?<!\d)\d+동\s?\d+호|[가-힣]{1,6}[동리]\s?\d+(?:-\d+)?번지",
            0,
        ),
    )
)
_MERGE = re.compile(rf"\[address\](?:[ \t,;]+(?:{_CAP}(?:[ \t]+{_CAP}){{0,2}}[ \t,]+)?\[address\])+")


def _address(text: str) -> str:
    text = _ADDRESSES[0].sub(r"\1[address]", text)
    for pattern in _ADDRESSES[1:]:
        text = pattern.sub("[address]", text)
    return _MERGE.sub("[address]", text)


_PARTICLES = frozenset("de da do dos das del della di du des la las le los van von der den ter y e bin binti al el ibn".split())
# A strong introduction ("my name is") is followed by a name even in lower case, unless it says this.
_STOP = frozenset(
    "on in not the a an also still wrong spelled misspelled written printed missing correct incorrect is was "
    "and but de en no es mal incorrecto pas faux nicht falsch auf не неправильно на não errado yang di tidak "
    "salah yanlış".split()
)
_STRONG = (
    r"my (?:full )?name is|my name['’]s|me llamo|mi nombre (?:completo )?es|je m['’]appelle"
    r"|mon nom (?:est|c['’]est)|ich hei(?:ß|ss)e|mein name ist|меня зовут|мо[её] имя|моя фамилия|meu nome é"
    r"|me chamo|chamo-me|benim ad[ıi]m|ismim|nama saya|nama aku|namaku"
    r"|(?:full name|name|nombre|nom|nome|имя|фио|ad soyad|isim|nama|vorname|nachname)[ \t]*:"
)
_HON = (
    r"(?:Mr|Mrs|Ms|Mx|Dr|Prof|Sra?|Srta|Mme|Mlle|Sig|Bpk)\.?(?=[ \t])|M\.|(?:Miss|Herr|Frau"
    r"|Señor|Señora|Senhor|Senhora|Monsieur|Madame|Sayın|Bapak|Ibu|Pak|господин|госпожа|г-н|г-жа)(?=[ \t])"
)
_SIGNOFF = (
    r"(?:best |kind |warm )?regards|thanks|thank you|many thanks|cheers|best|sincerely|yours (?:truly|sincerely)"
    r"|best wishes|(?:un )?saludos?|atentamente|(?:muchas )?gracias|cordialmente|abrazos|(?:bien )?cordialement"
    r"|merci(?: beaucoup)?|bien à vous|salutations|amicalement|(?:viele |liebe |beste |mit freundlichen )?"
    r"gr(?:ü|ue)(?:ß|ss)en?|mfg|lg|vg|danke(?: schön)?|vielen dank|gru(?:ß|ss)|с уважением|спасибо"
    r"|всего доброго|atenciosamente|obrigad[oa]|abraços?|cumprimentos|saudações|saygılarımla|teşekkürler"
    r"|teşekkür ederim|sevgiler|salam|terima kasih|hormat saya|wassalam|مع (?:خالص )?(?:التحية|تحياتي)|تحياتي|شكرا|شكراً"
)
_TAIL = rf"(?P<tail>{_WORD}(?:[ \t]+{_WORD}){{0,3}})"
_INTRO = re.compile(
    rf"(?<!\w)(?:(?P<strong>(?i:{_STRONG}))|(?i:i am|i['’]m|soy|je suis|eu sou|sou|saya|aku|ad[ıi]m)|{_HON})"
    rf"[ \t]*[:,–—-]?[ \t]*{_TAIL}"
)
_SIGN = re.compile(
    rf"(?<!\w)(?i:{_SIGNOFF})[ \t]*(?:[,!.:;،–—-][ \t]*\n?|\n)[ \t]*{_TAIL}(?=[ \t]*[.!]?[ \t]*(?:\n|\Z))"
)
_AR = r"[\u0621-\u064A\u066E-\u06D3\u06FA-\u06FF][\u0621-\u065F\u0670-\u06D3\u06FA-\u06FF]*"
_AR_NAME = re.compile(
    r"((?:أنا |انا )?(?:اسمي|إسمي|اسمى|الاسم[ \t]*:|السيدة|السيد|الأستاذة|الأستاذ|الدكتورة|الدكتور)[ \t]*:?[ \t]*)"
    rf"({_AR})(?!\d)(?:([ \t]+)({_AR})(?!\d))?"
)
_AR_STOP = frozenset("من في على و وأنا رقم طلب طلبي لقد هو هي عميل كان كانت قال لم لا هل وصل".split())
_LAT = rf"[A-Za-z][A-Za-z'’-]*(?:[ \t]+[A-Z][A-Za-z'’-]*){{0,2}}(?!{_WN})"
_CJK_NAME = re.compile(
    r"((?:我叫|我的名字是|我的名字叫|我名叫|(?:本人)?姓名[:：]|名字[:：])[ \t]*)"
    rf"(?:{_LAT}|[一-龥·]{{1,4}}?(?=[^一-龥·]|\Z|[我的是在想要订购买因但也已还说住请电手])|[一-龥·]{{2,3}})"
    r"|((?:私|わたし|僕|俺)の名前は[ \t]*|(?:氏名|名前)[:：][ \t]*)"
    rf"(?:{_LAT}|[^\s、。,.!！?？()（）「」\[\]]{{1,12}}?(?=です|と申します|といいます|と言います|でございます|[\s、。,.!！?？]|\Z))"
    r"|((?:제|저의|내) 이름은[ \t]*|(?:이름|성함|성명)[ \t]*[:：][ \t]*)"
    rf"(?:{_LAT}|[가-힣]{{1,4}}?(?=입니다|이에요|예요|이고|이며|이?라고|[^가-힣]|\Z)|[가-힣]{{2,4}})"
    r"|[一-龥々ァ-ヶー]{1,8}(?=と申します|といいます|と言います)|[가-힣]{2,4}(?=이?라고 (?:합니다|해요))"
)


def _capital(word: str) -> bool:
    return word[0].isupper() or word[0].lower() == word[0].upper()  # caseless scripts count as capitalised


def _particle_before_name(words: list[re.Match[str]], i: int) -> bool:
    while i < len(words) and words[i].group().lower() in _PARTICLES:
        i += 1
    return i < len(words) and _capital(words[i].group())


def _name_end(tail: str, *, strong: bool = False, whole: bool = False) -> int:
    words = list(_WORD_RE.finditer(tail))
    end = 0
    for i, w in enumerate(words):
        if _capital(w.group()):
            end = w.end()
        elif not (end and w.group().lower() in _PARTICLES and _particle_before_name(words, i)):
            break
    if whole:
        return end if end == len(tail) else 0
    if not end and strong and words[0].group().lower() not in _STOP:
        return words[0].end()
    return end


def _tail_span(m: re.Match[str], end: int) -> tuple[int, int]:
    return m.start("tail"), m.start("tail") + end


def _arabic_span(m: re.Match[str]) -> tuple[int, int]:
    second = m.group(4)
    keep_second = second is None or second.startswith("و") or second in _AR_STOP
    return m.start(2), m.end(2) if keep_second else m.end(4)


def _scan(text: str, pattern: re.Pattern[str], span: Callable[[re.Match[str]], tuple[int, int]]) -> str:
    # Unlike re.sub this resumes right after the name, so words a match took but did not redact (one of
    # which may open another name) are searched again; that keeps redaction idempotent.
    out: list[str] = []
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        start, end = span(m)
        out.append(text[pos:start] + ("[name]" if end > start else ""))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def redact(text: str) -> str:
    """The text with e-mail addresses, phone numbers, postal addresses and names replaced by placeholders."""
    text = _URL.sub(lambda m: "[url]" + m.group()[len(m.group().rstrip(".,;:!?)]}'»")) :], text)
    text = _EMAIL.sub("[email]", text)
    text = _address(text)  # before phone numbers, so that house numbers and postal codes stay whole
    text = _NUMERIC.sub(_numeric, text)
    text = _CJK_NAME.sub(lambda m: f"{m.group(1) or m.group(2) or m.group(3) or ''}[name]", text)
    text = _scan(text, _AR_NAME, _arabic_span)
    text = _scan(text, _SIGN, lambda m: _tail_span(m, _name_end(m.group("tail"), whole=True)))
    strong = "strong"
    return _scan(text, _INTRO, lambda m: _tail_span(m, _name_end(m.group("tail"), strong=bool(m.group(strong)))))
