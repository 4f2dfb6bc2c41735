"""Theme stems of the twelve languages shipped after the first twelve: it nl pl uk vi th ms hi he fa sv cs.

Same notation as `theme_lexicon.py` (prefix stems, `=` whole word, `~` half weight), keyed by theme
name so the two modules need not import each other. How each language is tokenised, and why:

- it nl sv, pl uk cs: spaced words; inflection is mostly at the end, so a prefix stem covers the
  forms ("zpožd" matches "zpoždění", "zpožděná"), as for Russian and German.
- vi: syllables are spaced and words are one to three syllables, so stems are whole syllables or
  phrases ("hoàn tiền"), `=` where a short syllable starts longer ones ("sai=").
- ms: spaced, agglutinative by affixes; stems are roots with their common prefixed forms.
- hi: spaced (postpositions are separate words); Devanagari vowel signs count as word characters.
- th: written without spaces between words, so a stem matches anywhere in the text and the term is
  the stem itself; stems are whole words of two or more syllables where a shorter one would occur
  inside unrelated words (no dictionary tokeniser is installed, and none is needed for this).
- he fa: like Arabic, prefixes (Hebrew ו ה ב ל מ ש כ) and suffixes (Persian ـم ـش ـها) attach to
  words, so a stem matches anywhere in a word; Persian's zero-width non-joiner is read as a space and
  Arabic ي ك as Persian ی ک (customers type either).
"""

from __future__ import annotations

ADDED: dict[str, dict[str, str]] = {
    "delivery_time": {
        "it": "ritard, lent~, arriv~, aspett~, settiman~, giorni~, ancora non, non ancora, "
        "tempi di consegna, rimandat",
        "nl": "laat=, te laat, vertraging, vertraagd, traag~, duurde, lang~, wacht~, gewacht~, weken~, "
        "dagen~, nog steeds niet, nog niet, onderweg~, levertijd, uitgesteld",
        "pl": "opóźn, spóźn, późno, długo, czeka~, tygodni~, tydzień~, dni~, nadal nie, wciąż nie, "
        "jeszcze nie, nie dotarł, nie doszł, termin~, przesun",
        "uk": "затрим, запізн, довго, повільн~, чекал~, чекаю~, чекати~, тижн~, днів~, досі не, ще не, "
        "не прийшл, не доставил, термін~, перенес",
        "vi": "chậm=, trễ=, lâu=, chờ~, đợi~, tuần~, ngày~, vẫn chưa, chưa nhận, chưa tới, chưa đến, "
        "chưa giao, hoãn",
        "th": "ล่าช้า, ช้า, นานมาก, รอนาน, รอของ, ยังไม่ได้รับ, ยังไม่ถึง, ยังไม่มา, สัปดาห์~, อาทิตย์~, เลื่อน",
        "ms": "lambat, lewat, lama~, tunggu~, menunggu~, minggu~, hari~, belum sampai, belum terima, "
        "belum dapat, masih belum, tertangguh",
        "hi": "देर, लेट, इंतज़ार, इंतजार, हफ्ते~, हफ़्ते~, दिन~, अभी तक नहीं, नहीं आया, नहीं पहुं, डिलीवरी नहीं",
        "he": "איחור, מאחר, באיחור, לקח, מחכה~, חיכיתי~, שבוע~, שבועיים~, ימים~, עדיין לא, לא הגיע, "
        "זמן משלוח, נדחה",
        "fa": "تأخیر, تاخیر, دیر رسید, دیر شد, طول کشید, منتظر~, انتظار~, هفته~, روز~, هنوز~, نرسید, "
        "زمان ارسال",
        "sv": "sen=, sent=, försen, dröj, tog=, lång tid, långsam~, vänta~, väntat~, veckor~, dagar~, "
        "fortfarande inte, inte kommit, leveranstid, skjutits upp",
        "cs": "zpožd, pozdě, dlouho, pomal~, čekám~, čekal~, čekat~, týdn~, týden~, dní~, dnů~, "
        "nedorazil, nepřišl, termín~, odložen",
    },
    "parcel_damage": {
        "it": "danneggiat, ammaccat, schiacciat, scatola~, pacco~, imballag, imballat, strappat, bagnat, "
        "fradici, rovinat",
        "nl": "beschadig, ingedeukt, geplet, doos~, pakket~, verpakking, gescheurd, nat=, lek",
        "pl": "uszkodz, zgniecion, pognieciona, pogniecion, wgniec, karton~, paczk~, opakowan, rozdart, "
        "mokr, zamoczon, potłuczon, rozbit",
        "uk": "пошкодж, пом'ят, зім'ят, коробк~, посилк~, упаков, пакуван, порван, мокр, розбит, протік",
        "vi": "hư hỏng, móp, bẹp, thùng~, hộp~, gói hàng~, đóng gói, bao bì, rách, ướt, bị vỡ, vỡ=",
        "th": "เสียหาย, บุบ, บู้บี้, ยุบ, กล่อง~, พัสดุ~, หีบห่อ, บรรจุภัณฑ์, แพ็ค, ขาด, เปียก, แตก",
        "ms": "remuk, kemek, penyek, kotak~, bungkusan~, parcel~, pembungkus, koyak, basah, pecah",
        "hi": "क्षतिग्रस्त, पिचक, दबा हुआ, डिब्बा~, डिब्बे~, पैकेट~, पैकिंग, पैकेजिंग, फटा, गीला, टूटा हुआ",
        "he": "פגום~, נפגע, מעוך, מעוכ, קופסה~, קופסא~, חבילה~, אריזה, ארוז, קרוע, רטוב, נזק",
        "fa": "آسیب, له شده, له شد, خرد شده, جعبه~, بسته~, کارتن~, بسته بندی, پاره, خیس, شکسته",
        "sv": "skadad, skadat, skador, tillknycklad, mosad, intryckt, kartong~, låda~, paket~, "
        "förpackning, riven, blöt, läckt",
        "cs": "poškozen, pomačkan, zmačkan, promáčkl, rozmačkan, krabic~, balík~, balíček~, obal, "
        "zabalen, roztržen, mokr, rozbit, prasklé",
    },
    "product_quality": {
        "it": "qualità~, difettos, si è rotto, si è rotta, rott, non funziona, smesso di funzionare, "
        "material~, scadent, pessim, fragile",
        "nl": "kwaliteit~, defect, kapot, stuk=, werkt niet, doet het niet, niet meer, goedkoop, slecht, "
        "materiaal~, gammel",
        "pl": "jakoś~, wadliw, zepsu, popsuł, nie działa, przestał działać, przestała działać, tandet, "
        "słab, kiepsk, materiał~, rozpadł, rozkleił",
        "uk": "якість~, якості~, брак=, зламал, не працює, перестав працювати, дешев, хлипк, матеріал~, "
        "погана, поганий, жахлив",
        "vi": "chất lượng~, hỏng=, hư=, lỗi=, không hoạt động, không dùng được, kém=, tệ=, rẻ tiền, "
        "chất liệu~, dỏm",
        "th": "คุณภาพ~, ชำรุด, พัง, ใช้ไม่ได้, ไม่ทำงาน, ห่วย, แย่, วัสดุ~, ของปลอม, ไม่ทน",
        "ms": "kualiti~, rosak, cacat, tidak berfungsi, tak berfungsi, tak boleh guna, murah~, teruk, "
        "bahan~, tak tahan",
        "hi": "क्वालिटी~, गुणवत्ता~, खराब, ख़राब, घटिया, टूट गया, टूट गई, काम नहीं, चल नहीं, सस्ता~, बेकार, नकली",
        "he": "איכות~, פגם, תקול, מקולקל, התקלקל, נשבר, לא עובד, הפסיק לעבוד, זול~, גרוע, חומר~",
        "fa": "کیفیت~, خراب, معیوب, ایراد, کار نمی کند, کار نمیکند, کار نکرد, بی کیفیت, بنجل, جنس~, "
        "افتضاح, خیلی بد",
        "sv": "kvalitet~, defekt, gick sönder, sönder, trasig, fungerar inte, funkar inte, slutade fungera, "
        "billig~, dålig, material~, skräp",
        "cs": "kvalit~, vadn, rozbil, nefunguj, přestal fungovat, přestala fungovat, levn~, materiál~, "
        "hrozn, odpadl, nekvalitn",
    },
    "wrong_item": {
        "it": "sbagliat, mancant, manca, diverso~, diversa~, taglia~, colore~, invece di, non è quello, "
        "incomplet",
        "nl": "verkeerd, ontbreekt, ontbrak, mist, andere~, maat~, kleur~, in plaats van, niet besteld, "
        "onvolledig",
        "pl": "zły rozmiar, zły kolor, złą, błędn, pomyłk, brak~, brakuje, brakowało, inny~, inna~, "
        "rozmiar~, kolor~, zamiast, nie to co, niekompletn",
        "uk": "не той, не та, не те, не того, інший~, інша~, не вистача, відсутн, чужий, розмір~, "
        "колір~, кольор~, замість, переплута",
        "vi": "giao sai, sai=, nhầm, thiếu, khác~, kích cỡ~, size~, màu~, thay vì, không đúng",
        "th": "ผิด, ไม่ครบ, ขาดหาย, หายไป, ไม่ตรง, คนละ, ไซส์~, ขนาด~, สีไม่ตรง",
        "ms": "salah, silap, tak cukup, kurang, berbeza~, lain~, saiz~, warna~, bukan yang saya",
        "hi": "गलत, ग़लत, कम आया, गायब, अलग~, दूसरा~, साइज~, साइज़~, रंग~, की जगह, नहीं मंगवाया",
        "he": "לא נכון, לא נכונה, שגוי, טעות, חסר, אחר~, אחרת~, מידה~, צבע~, במקום, לא מה שהזמנתי",
        "fa": "اشتباه, غلط, کم بود, ناقص, متفاوت~, دیگری~, سایز~, اندازه~, رنگ~, به جای, بجای",
        "sv": "fel=, saknas, saknade, annan~, annat~, storlek~, färg~, istället, i stället, "
        "inte det jag beställde, ofullständig",
        "cs": "špatn, chybí, chyběl, jiný~, jinou~, jiné~, velikost~, barv~, místo=, nekompletní, "
        "záměn, spleten",
    },
    "price_payment": {
        "it": "prezzo, caro=, cara=, costoso, addebit, pagament, pagato, pagare, carta, commission, sconto, "
        "coupon, fattura, importo, costa",
        "nl": "prijs, duur=, te duur, afgeschreven, betaling, betaald, betalen, kaart, pinpas, kosten, "
        "korting, factuur, rekening~",
        "pl": "cen, drog, pobran, pobrał, pobrali, płatnoś, zapłac, opłat, kart, prowizj, rabat, faktur, "
        "kosztow",
        "uk": "цін, дорог, списал, списа, оплат, платіж, заплат, картк, карти, комісі, знижк, промокод, "
        "рахун",
        "vi": "giá=, đắt, mắc=, trừ tiền, thanh toán, trả tiền, thẻ=, phí=, giảm giá, mã giảm, hóa đơn, "
        "hoá đơn, tiền~",
        "th": "ราคา, แพง, ตัดเงิน, หักเงิน, ชำระเงิน, จ่ายเงิน, โอนเงิน, บัตร, ค่าธรรมเนียม, ส่วนลด, คูปอง, ใบเสร็จ, ค่าส่ง",
        "ms": "harga, mahal, ditolak, potong, caj, bayaran, pembayaran, bayar, kad=, yuran, diskaun, "
        "baucar, kupon, invois",
        "hi": "कीमत, दाम, महंगा, महँगा, पैसे कट, कट गए, भुगतान, पेमेंट, कार्ड, शुल्क, चार्ज, छूट, डिस्काउंट, कूपन, बिल",
        "he": "מחיר, יקר, חייבו, חיוב, תשלום, שילמתי, לשלם, כרטיס, עמלה, הנחה, קופון, קבלה, חשבונית",
        "fa": "قیمت, گران, گرون, کسر شد, کم شد, پرداخت, پول~, کارت, کارمزد, تخفیف, کوپن, فاکتور, هزینه",
        "sv": "pris, dyr, debiter, dragit, betalning, betala, betalade, kort=, kortet, avgift, rabatt, "
        "faktura, kostar, kostade",
        "cs": "cen, drah, strhl, stáhli, stržen, platb, zaplat, karty, kartou, karta, poplat, sleva, "
        "slevov, faktur, stojí",
    },
    "refund_return": {
        "it": "rimbors, restitu, reso, resi=, soldi indietro, sostituzion, cambio",
        "nl": "terugbetal, geld terug, retour, teruggestuurd, terugsturen, ruil, omruil, restitutie",
        "pl": "zwrot, zwróc, odesła, pieniądze z powrotem, wymian, reklamacj",
        "uk": "поверн, гроші назад, обмін, відшкод",
        "vi": "hoàn tiền, trả hàng, trả lại, đổi hàng, đổi trả, hoàn trả",
        "th": "คืนเงิน, เงินคืน, ส่งคืน, คืนสินค้า, เปลี่ยนสินค้า, เปลี่ยนของ, รีฟันด์",
        "ms": "bayaran balik, refund, pulangkan, memulangkan, dipulangkan, dikembalikan, duit balik, tukar",
        "hi": "रिफंड, रिफ़ंड, वापस कर, वापसी, पैसे वापस, रिटर्न, बदल",
        "he": "החזר, זיכוי, להחזיר, כסף בחזרה, החלפה, להחליף",
        "fa": "بازگشت وجه, برگشت, پس فرستادم, پس دادم, مرجوع, استرداد, پولم را, تعویض, برگرداند",
        "sv": "återbetal, retur, skickade tillbaka, skicka tillbaka, pengarna tillbaka, byte=, byta, "
        "reklamation",
        "cs": "vrácení peněz, vrácen, vrátil, vrátila, vrátit, peníze zpět, reklamac, výměn, refund",
    },
    "customer_service": {
        "it": "assistenza, servizio clienti, servizio~, operatore, personale~, maleducat, scortes, rispost, "
        "rispond, nessuno, chiamat, telefon~, gentil~, minuti",
        "nl": "klantenservice, service~, medewerker, onbeleefd, onvriendelijk, antwoord, reageer, reactie, "
        "niemand, gebeld, bellen, telefoon~, vriendelijk~, minuten, wachtrij",
        "pl": "obsług, konsultant, pracowni, niemił, nieuprzejm, chamsk, odpowied, odpisa, nikt, dzwoni, "
        "telefon~, uprzejm~, rozłącz, infolini, minut",
        "uk": "підтримк, оператор, працівник, співробітник, груб, відповід, ніхто, дзвонил, дзвінок, "
        "передзвон, ввічлив~, служб, хвилин",
        "vi": "chăm sóc khách hàng, nhân viên, tư vấn, thô lỗ, bất lịch sự, trả lời, phản hồi, không ai, "
        "gọi điện, tổng đài, nhiệt tình~, thái độ, phút=",
        "th": "พนักงาน, แอดมิน, บริการลูกค้า, คอลเซ็นเตอร์, ไม่สุภาพ, พูดจา, ตอบกลับ, ไม่ตอบ, ไม่มีใคร, โทร, บริการ~",
        "ms": "khidmat pelanggan, khidmat~, pegawai, staf~, kurang ajar, biadap, tak balas, tidak balas, "
        "jawapan, balas, tiada siapa, telefon, panggilan, mesra~",
        "hi": "कस्टमर केयर, ग्राहक सेवा, सपोर्ट, कर्मचारी, बदतमीज, रूखा, जवाब, कोई नहीं, फोन, फ़ोन, कॉल, विनम्र~, मिनट",
        "he": "שירות לקוחות, שירות~, נציג, תמיכה, לא אדיב, גס רוח, חצוף, תשובה, עונה, עונים, אף אחד, "
        "התקשרתי, שיחה, טלפון, אדיב~, דקות",
        "fa": "پشتیبانی, خدمات مشتری, کارمند, اپراتور, بی ادب, بی احترامی, جواب, پاسخ, هیچ کس, هیچکس, "
        "تماس, تلفن, مودب~, دقیقه",
        "sv": "kundtjänst, kundservice, support, personal~, otrevlig, oförskämd, svar, ingen=, ringde, "
        "ringa, telefon~, trevlig~, minuter, kö=",
        "cs": "zákaznick, podpor, operátor, zaměstnan, nepříjemn, nezdvoř, drz, odpověd, neodpovíd, "
        "odpovídá, nikdo, volal, telefon~, ochotn~, minut",
    },
    "website_app": {
        "it": "sito, app=, applicazione, password, accesso, accedere, login, pagina, ricerca, si blocca, "
        "bloccat, crash, errore, tracciamento",
        "nl": "website, site=, app=, inloggen, wachtwoord, account, pagina, zoek, crasht, loopt vast, "
        "vastlopen, storing, foutmelding, track",
        "pl": "stron, aplikacj, hasł, zaloguj, logowan, konto~, wyszukiw, zawiesza, wyłącza się, crash, "
        "błąd, śledzen",
        "uk": "сайт, додат, застосун, пароль, увійти, вхід, сторінк, пошук, відстеж, зависа, виліта, помилк",
        "vi": "trang web, website, ứng dụng, app=, mật khẩu, đăng nhập, tìm kiếm, bị treo, treo=, văng, "
        "theo dõi đơn",
        "th": "เว็บ, แอป, แอพ, รหัสผ่าน, ล็อกอิน, เข้าสู่ระบบ, ค้นหา, ค้าง, เด้งออก, ติดตามพัสดุ, error",
        "ms": "laman web, laman, aplikasi, app=, kata laluan, log masuk, halaman, carian, tergantung, "
        "hang=, ralat, error, jejak",
        "hi": "वेबसाइट, साइट, ऐप, एप, पासवर्ड, लॉगिन, लॉग इन, पेज, सर्च, एरर, क्रैश, हैंग, ट्रैकिंग",
        "he": "אתר, אפליקציה, סיסמה, סיסמא, התחברות, להתחבר, עמוד, חיפוש, קורס, קריסה, נתקע, שגיאה, מעקב",
        "fa": "سایت, وب سایت, برنامه, اپلیکیشن, رمز عبور, ورود, صفحه, جستجو, هنگ, کرش, خطا, ارور, پیگیری",
        "sv": "webbplats, hemsida, sida=, sidan, app=, appen, lösenord, logga in, inloggning, sök, krasch, "
        "hänger sig, felmeddelande, spårning",
        "cs": "web=, webu, stránk, aplikac, heslo, hesl, přihlás, přihlaš, vyhledáv, spadne, padá, zamrz, "
        "chyba, chybov, sledování zásilky",
    },
    "praise": {
        "it": "ottim, perfett, grazie, fantastic, consiglio, soddisfatt, content, bellissim, eccellent, "
        "bravissim, veloce~",
        "nl": "tevreden, blij, top=, perfect, bedankt, dank, geweldig, aanrader, aan te raden, super, "
        "prima, uitstekend, snel geleverd",
        "pl": "super, świetn, doskonał, idealn, dziękuj, polecam, zadowolon, rewelac, najlepsz, wspaniał, "
        "szybk~",
        "uk": "чудов, відмінн, дякую, дякуємо, ідеальн, задоволен, рекоменд, супер, найкращ, молодці, швидк~",
        "vi": "rất tốt, tuyệt vời, hài lòng, cảm ơn, cám ơn, hoàn hảo, giới thiệu, ưng=, đáng mua, "
        "yêu thích, nhanh~",
        "th": "ดีมาก, ขอบคุณ, ประทับใจ, พอใจ, ชอบมาก, สมบูรณ์แบบ, แนะนำ, เยี่ยม, สุดยอด, ส่งเร็ว",
        "ms": "bagus, terbaik, terima kasih, puas hati, sempurna, syok, cantik, cepat~, memuaskan, suka, "
        "mantap",
        "hi": "बढ़िया, बहुत अच्छा, बहुत अच्छी, शानदार, धन्यवाद, शुक्रिया, संतुष्ट, खुश, परफेक्ट, बेहतरीन, जल्दी~",
        "he": "מעולה, מצוין, תודה, מושלם, מרוצה, ממליץ, ממליצה, נהדר, אהבתי, הכי טוב, מהיר~",
        "fa": "عالی, ممنون, متشکر, مرسی, سپاس, کامل~, راضی, پیشنهاد می کنم, خوب بود, بی نظیر, "
        "فوق العاده, سریع~",
        "sv": "nöjd, supernöjd, toppen, perfekt, tack, fantastisk, rekommender, jättebra, mycket bra, "
        "bäst, utmärkt, snabb~",
        "cs": "skvěl, výborn, děkuj, díky, perfektn, spokojen, doporuč, super, nejlepší, rychl~",
    },
}
