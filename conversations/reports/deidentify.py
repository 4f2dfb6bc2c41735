"""Redact personal data from free-text answers and complaints so they can be analysed and exported."""

from __future__ import annotations

import re
from collections.abc import Callable

# Each pattern is bounded, or anchored by a look-behind so that it cannot start inside a run of what it
# consumes: that keeps every pass linear on hostile input.
_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĘĚĞİĶĹĽŁŃŇŐŒŘŚŞŠŢŤŪŮŰŹŻŽА-ЯЁ"
_CAP = rf"[{_UP}][^\W\d_]*"
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WN = rf"[^\W{_CJK}]"  # a word character but CJK, which is written right against digits and Latin words
# A word, or an initial; never one glued to digits or a phone number, which redacting it would expose.
_WORD = rf"(?:[{_UP}]\.|[^\W\d_](?:[^\W\d_]|['’-])*+)(?![\d+(])"
_WORD_RE = re.compile(_WORD)

_URL = re.compile(rf"(?:(?<!{_WN})(?<![@.])www\.|https?://)[^\s<>\"“”]+", re.IGNORECASE)
_AT, _DOT = (rf"\s?[(\[{{<]\s?(?:{w}|{w.upper()})\s?[)\]}}>]\s?" for w in ("at", "dot"))
_EMAIL = re.compile(
    rf"(?:(?<![{_CJK}])[{_CJK}]+|(?<!{_WN})(?<![.+%-])(?:{_WN}|[.+%-])+)"
    rf"(?:(?:@|＠|{_AT})[\w.-]+(?:\.|{_DOT})|\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)*\s+dot\s+)"
    rf"(?:[^\W\d_{_CJK}]{{2,}}|[{_CJK}]{{2,}})"
)

_AMT = r"(?:\d{1,3}(?:[.,]\d{3})+|\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:[.,]\d{1,2})?"
_CUR = r"[$€£¥₩₺₽₹]|R\$|US\$|Rp\.?|USD|EUR|GBP|RUB|TRY|TL|BRL|CNY|RMB|JPY|KRW|IDR|SAR|AED|MXN"
_CUR_AFTER = (
    rf"{_CUR}|[元円원]|руб|р\.|ريال|جنيه|درهم"
    r"|(?i:euros?|dollars?|rupiah|reais|reales|yuan|yen|liras?|rubles?|рубл\w*|pesos|won|riyals?)\b"
)
# Dates, year ranges, compact dates, amounts, prices and order numbers look like phone numbers: kept.
_KEEP = (
    r"(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./](?:\d{4}|\d{2})"
    r"|(?:19|20)\d\d(?:(?:\s?[-–/]\s?|\s)(?:19|20)\d\d|(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))"
    r"|\d{1,3}(?:[.,]\d{3}){2,}(?:[.,]\d{1,2})?|\d{1,2}(?:[ \u00a0]\d{3}){2,})(?!\d|[.,/-]\d)"
    rf"|(?:{_CUR})\s?{_AMT}|{_AMT}\s?(?:{_CUR_AFTER})"
    r"|(?:(?i:order|pedido|commande|bestellung|auftrag|заказ|encomenda|sipariş|pesanan|ticket|invoice"
    r"|factura|facture|rechnung|fatura)"
    r"(?:[ \t]*(?i:number|no\.?|nr\.?|n[º°o]\.?|num\.?|número|numéro|nummer|номер|[#№:]))*+"
    r"|订单(?:编?号)?|注文番号|주문\s?번호|رقم الطلب)[:：]?[ \t]*[#№]?[ \t]*\d[\d-]*"
)
_NUM_START = rf"(?<!{_WN})(?<![+#/-])(?<!\d[.,])"
_NUM_END = rf"(?!{_WN}|[.,/-]\d)"
_NUMERIC = re.compile(
    rf"(?P<iban>(?<!{_WN})(?<!-)[A-Z]{{2}}[0-9]{{2}}(?: ?[A-Z0-9]{{4}}){{2,7}}(?: ?[A-Z0-9]{{1,3}})?"
    rf"(?!{_WN}|-))"
    rf"|(?P<keep>(?<!{_WN})(?:{_KEEP}))"
    rf"|(?P<card>{_NUM_START}(?:\d{{4}}(?:[ -]\d{{4}}){{3,4}}|\d{{4}}[ -]\d{{6}}[ -]\d{{4,5}}|\d{{12,}})"
    rf"{_NUM_END})"
    rf"|{_NUM_START}(?:\+\s?\d{{1,20}}|\(\+?\d{{1,5}}\)[ .-]?\d{{2,14}}|\d{{1,20}})"
    rf"(?:(?:\s?[-–]\s?|[ \u00a0./])(?:\(\d{{1,5}}\)[ .-]?)?\d{{2,14}}){{0,7}}{_NUM_END}"
)


def _numeric(m: re.Match[str]) -> str:
    s = m.group()
    if m.group("keep") is not None:
        return s
    if m.group("iban") is not None:
        compact = s.replace(" ", "")
        # Letter+digit order references stay unless they are grouped like an IBAN or pass its check.
        if len(compact) < 15 or sum(c.isdigit() for c in compact) < 10:
            return s
        checksum = int("".join(str(int(c, 36)) for c in compact[4:] + compact[:4])) % 97
        return "[number]" if " " in s or checksum == 1 else s
    if m.group("card") is not None:
        return "[number]"
    groups = re.findall(r"\d+", s)
    digits = sum(map(len, groups))
    if digits < 7 or re.fullmatch(r"\d+[.,]\d+", s):
        return s
    # Only small groups and no trunk prefix: scores or sizes ("10 10 9 10"), not a phone number.
    if not (s[0] in "+(" or s.startswith("0") or max(map(len, groups)) >= 3):
        return s
    return "[number]" if digits > 15 else "[phone]"


_UNITS = (  # "camino de 5 minutos" is a walk, not an address
    r"(?:(?:min|minutos|minutes|horas?|hours?|d[ií]as|days?|km|semanas|weeks?|meses|months?|anos|años"
    r"|years?|menit|jam|hari|мин\w*|час\w*|дн\w*)\b|%|€)"
)
_STREET = (
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
_TR = r"(?:Cd|Cad|Caddesi|Sk|Sok|Sokak|Sokağı|Bulvarı|Blv|Mah|Mahallesi)\b\.?"
_PC = (
    r"(?:(?![我住在的是到送寄地址为了从往去请给和])[一-龥々ァ-ヶー])"  # not the words that lead up to a place
)
_CJK_NUM = r"(?:[0-9０-９]++(?:(?:[-−ー－の]|丁目|番地?|号|號|室|楼|樓|栋|棟|单元|层|階)[0-9０-９]*+)++)"
_ADMIN_CH = "省市区區县縣镇鎮都府県町村郡"
_ADMIN = rf"{_PC}{{1,6}}?[{_ADMIN_CH}]"
_LABEL = re.compile(
    rf"(?<!{_WN})((?i:address|home address|dirección|direccion|domicilio|adresse|anschrift|адрес|endereço"
    r"|endereco|morada|adres|adresim|alamat|عنوان|العنوان|住所|地址|주소)[ \t]*[:：][ \t]*)"
    r"[^\n]+?(?=(?<!\b\w)(?<!\b\w\w)(?<!\b\w\w\w)\.\s|[!?]\s|[。！？\n]|\Z)"  # "St." or "ул." goes on
)
_ADDRESS = re.compile(
    "|".join(
        (
            rf"(?<!{_WN})(?i:(?:{_STREET})[ \t]*(?:{_WORD}[ \t,،]+){{1,5}}?{_HOUSE})"
            rf"(?!{_WN}|[.,]\d|\s*(?i:{_UNITS}))",
            rf"(?<!{_WN})(?<![.,])\d{{1,5}}[A-Za-z]?,?[ \t]+"
            rf"(?:(?:[NSEW]\.?|\d{{1,3}}(?:st|nd|rd|th)|{_CAP})[ \t]+){{1,4}}"
            r"(?i:(?:street|road|avenue|lane|drive|boulevard|court|way|place|terrace|close|crescent|square"
            r"|highway|parkway)\b|(?:st|rd|ave|ln|dr|blvd|ct|pl|sq|hwy|pkwy)\b\.?)"
            r"(?:,?[ \t]*(?:Apt|Apartment|Suite|Ste|Unit|Flat|#)\.?[ \t]*#?\w{1,5})?",
            rf"(?<!{_WN})(?<![.,])\d{{1,4}}(?:[ \t]?(?:bis|ter))?,?[ \t]+"
            rf"(?i:rue|avenue|av\.|boulevard|bd|place|allée|chemin|impasse|quai|route)[ \t]+"
            rf"(?:{_PART}[ \t]*)*+{_WORD}"
            rf"(?:[ \t-]+(?:{_PART}[ \t]*)*+{_CAP}){{0,3}}",
            rf"(?<!{_WN})(?<!-)[{_UP}][\w-]+?[ \t]?(?i:straße|strasse|str\.|weg|platz|allee|gasse|damm|ufer"
            rf"|chaussee)[ \t]*\d{{1,4}}(?:[ \t]?[a-zA-Z](?!{_WN}))?(?!{_WN}|[.,]\d)",
            rf"(?<!{_WN})(?:{_CAP}[ \t]+){{1,3}}{_TR}(?:,?[ \t]+(?:{_CAP}[ \t]+){{1,3}}{_TR}){{0,3}}+,?[ \t]*"
            rf"(?:[Nn]o[ \t]?[:.]?[ \t]?)?\d{{1,5}}(?:[ \t]?/[ \t]?\d{{1,4}})?(?!{_WN})",
            # A number before a capitalised word is a postal code, unless the word is a currency.
            rf"(?<!{_WN})(?<![+./-])(?<!\d[ .-])(?:[A-Z]{{1,2}}-\d{{4,5}}|\d{{5}}(?:-\d{{3,4}})?|\d{{6}}"
            r"|\d{4}-\d{3}|\d{4} ?[A-Z]{2})[ \t]+"
            rf"(?!(?:Rupiah|Euros?|Dollars?|Reais|Liras?|Yuan|Yen|Won|Rubles?|Pesos|Km|Min)\b){_CITY}",
            rf"(?<!{_WN})(?<!-)(?:[A-Z]{{1,2}}\d[A-Z\d]?[ \t]?\d[A-Z]{{2}}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d)"
            rf"(?!{_WN}|-)",
            rf"(?<=, )[A-Z]{{2}}[ \t]+\d{{5}}(?:-\d{{4}})?(?!{_WN})",
            rf"(?<!{_WN})RT\.?[ \t]?\d{{1,3}}[ \t]?/?[ \t]?RW\.?[ \t]?\d{{1,3}}(?!{_WN})",
            rf"(?<!{_WN})(?i:p\.?[ \t]?o\.?[ \t]?box|apartado(?: de correos)?|caixa postal|postfach"
            r"|ص\.[ \t]?ب\.?|а/я)[ \t]*\d{1,6}",
            rf"(?<!{_WN})(?:Apt|Apto|Apartment|Flat|Suite|кв)\.?[ \t]*#?\d{{1,4}}[A-Za-z]?(?!{_WN})",
            r"〒[ \t]?[0-9０-９]{3}[-−ー－]?[0-9０-９]{4}",
            rf"(?=[一-龥々ァ-ヶー0-9０-９])(?:(?<!{_PC})|(?<=[{_ADMIN_CH}]))(?:(?:{_ADMIN})++{_PC}{{0,8}}+{_CJK_NUM}|(?:{_ADMIN}){{2,}}+"
            rf"|{_PC}{{1,8}}?(?:路|街|大道|巷|弄|胡同){_CJK_NUM}|(?<![0-9０-９])[0-9０-９]+(?:丁目|番地){_CJK_NUM}?)",
            r"(?<![가-힣0-9])(?:[가-힣]{1,6}(?:특별시|광역시|시|도|구|군)\s){0,4}+[가-힣0-9]{1,10}?(?:로|길)\s?"
            r"[0-9]+(?:-[0-9]+)?(?:,?\s?[0-9]+(?:동|층|호))*(?![0-9가-힣])",
            r"(?<![0-9])[0-9]+동\s?[0-9]+호|[가-힣]{1,6}[동리]\s?[0-9]+(?:-[0-9]+)?번지",
        )
    )
)
_MERGE = re.compile(rf"\[address\](?:[ \t,;]+(?:{_CAP}[ \t,]+){{0,3}}\[address\])+")

_PARTICLES = set("de da do dos das del di du des la las le los van von der den ter y e bin al el".split())
# After "my name is" and the like even a lower-case word is taken as a name, unless it is one of these.
_STOP = set(
    "on in not the a an also still wrong spelled misspelled written printed missing correct incorrect is was "
    "and but de en no es mal incorrecto pas faux nicht falsch auf не неправильно на não errado yang di tidak "
    "salah yanlış la el lo le les un una muy mucho".split()
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
    r"(?:best |kind |warm )?regards|thanks|thank you|many thanks|cheers|best|sincerely|best wishes"
    r"|yours (?:truly|sincerely)|(?:un )?saludos?|atentamente|(?:muchas )?gracias|cordialmente|abrazos"
    r"|(?:bien )?cordialement|merci(?: beaucoup)?|bien à vous|salutations|amicalement"
    r"|(?:viele |liebe |beste |mit freundlichen )?gr(?:ü|ue)(?:ß|ss)en?|mfg|lg|vg|danke(?: schön)?"
    r"|vielen dank|gru(?:ß|ss)|с уважением|спасибо|всего доброго|atenciosamente|obrigad[oa]|abraços?"
    r"|cumprimentos|saudações|saygılarımla|teşekkürler|teşekkür ederim|sevgiler|salam|terima kasih"
    r"|hormat saya|wassalam|مع (?:خالص )?(?:التحية|تحياتي)|تحياتي|شكرا|شكراً"
)
_TAIL = rf"(?P<tail>{_WORD}(?:[ \t]+{_WORD}){{0,3}})"
_INTRO = re.compile(
    rf"(?<!{_WN})(?:(?P<strong>(?i:{_STRONG}))"
    rf"|(?i:i am|i['’]m|this is|soy|je suis|eu sou|sou|saya|aku|ad[ıi]m)|{_HON})[ \t]*[:,–—-]?[ \t]*{_TAIL}"
)
_SIGN = re.compile(
    rf"(?<!{_WN})(?i:{_SIGNOFF})[ \t]*(?:[,!.:;،–—-][ \t]*\n?|\n)[ \t]*{_TAIL}(?=[ \t]*[.!]?[ \t]*(?:\n|\Z))"
)
_AR = r"[\u0621-\u064A\u066E-\u06D3\u06FA-\u06FF][\u0621-\u065F\u0670-\u06D3\u06FA-\u06FF]*(?![\d+(])"
_AR_NAME = re.compile(
    r"((?:أنا |انا )?(?:اسمي|إسمي|اسمى|الاسم[ \t]*:|السيدة|السيد|الأستاذة|الأستاذ|الدكتورة|الدكتور)"
    rf"[ \t]*:?[ \t]*)({_AR})(?:([ \t]+)({_AR}))?"
)
_AR_STOP = set("من في على و وأنا رقم طلب طلبي لقد هو هي عميل كان كانت قال لم لا هل وصل".split())
_LAT = rf"[A-Za-z][A-Za-z'’-]*(?:[ \t]+[A-Z][A-Za-z'’-]*){{0,2}}(?!{_WN}|[+(])"
_CJK_NAME = re.compile(
    r"((?:我叫|我的名字是|我的名字叫|我名叫|(?:本人)?姓名[:：]|名字[:：])[ \t]*)"
    rf"(?:{_LAT}|[一-龥·]{{1,4}}?(?=[^一-龥·]|\Z|[我的是在想要订购买因但也已还说住请电手])|[一-龥·]{{2,3}})"
    r"|((?:私|わたし|僕|俺)の名前は[ \t]*|(?:氏名|名前)[:：][ \t]*)(?:"
    rf"{_LAT}|[^\s、。,.!！?？()（）「」\[\]]{{1,12}}?(?=です|と申します|といいます|と言います|でございます"
    r"|[\s、。,.!！?？]|\Z))|((?:제|저의|내) 이름은[ \t]*|(?:이름|성함|성명)[ \t]*[:：][ \t]*)"
    rf"(?:{_LAT}|[가-힣]{{1,4}}?(?=입니다|이에요|예요|이고|이며|이?라고|[^가-힣]|\Z)|[가-힣]{{2,4}})"
    r"|[一-龥々ァ-ヶー]{1,8}(?=と申します|といいます|と言います)|[가-힣]{2,4}(?=이?라고 (?:합니다|해요))"
)


def _capital(word: str) -> bool:
    return word[0].isupper() or word[0].lower() == word[0].upper()  # caseless scripts count as capitalised


def _name_span(m: re.Match[str], *, whole: bool = False) -> tuple[int, int]:
    """Where the name is in the words after an introduction: capitalised words, with particles between."""
    tail, start = m["tail"], m.start("tail")
    words = [w.group() for w in _WORD_RE.finditer(tail)]
    taken, end = 0, 0
    for i, word in enumerate(words):
        rest = words[i:]
        while rest and rest[0].lower() in _PARTICLES:
            rest = rest[1:]
        if not (_capital(word) or (taken and rest and _capital(rest[0]))):
            break
        taken, end = taken + 1, tail.index(word, end) + len(word)
    if whole and end < len(tail):
        end = 0  # a sign-off is only followed by a name when nothing else is on that line
    elif not taken and m.groupdict().get("strong") and words[0].lower() not in _STOP:
        end = len(words[0])
    return start, start + end


def _scan(text: str, pattern: re.Pattern[str], span: Callable[[re.Match[str]], tuple[int, int]]) -> str:
    # Unlike re.sub this resumes right after the name, so that words a match took but did not redact
    # (which may start another name) are searched again, as the next call would.
    out: list[str] = []
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        start, end = span(m)
        out.append(text[pos:start] + ("[name]" if end > start else ""))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _arabic(m: re.Match[str]) -> tuple[int, int]:
    second = m.group(4)
    keep_second = second is None or second.startswith("و") or second in _AR_STOP
    return m.start(2), m.end(2) if keep_second else m.end(4)


def _redact_once(text: str) -> str:
    text = _URL.sub(lambda m: "[url]" + m.group()[len(m.group().rstrip(".,;:!?)]}'»")) :], text)
    text = _EMAIL.sub("[email]", text)
    # Addresses go before phone numbers so that house numbers and postal codes stay in one piece.
    text = _MERGE.sub("[address]", _ADDRESS.sub("[address]", _LABEL.sub(r"\1[address]", text)))
    text = _NUMERIC.sub(_numeric, text)
    text = _CJK_NAME.sub(lambda m: f"{m.group(1) or m.group(2) or m.group(3) or ''}[name]", text)
    text = _scan(text, _AR_NAME, _arabic)
    text = _scan(text, _SIGN, lambda m: _name_span(m, whole=True))
    return _scan(text, _INTRO, _name_span)


def redact(text: str) -> str:
    """The text with e-mail addresses, phone numbers, postal addresses and names replaced by placeholders."""
    # Removing one item can free a neighbour glued to it ("…1111+34 600…"), so repeat until nothing
    # changes; every round only shrinks the unredacted text, and ordinary text settles after one.
    for _ in range(4):
        redacted = _redact_once(text)
        if redacted == text:
            break
        text = redacted
    return text
