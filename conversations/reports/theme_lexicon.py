"""Keyword stems per theme and language, for grouping feedback offline in every shipped language.

A stem matches the start of a word in scripts with spaces (so "entreg" matches "entrega",
"entregado"); one ending in `=` only the whole word ("app=" is not "appreciate"); one ending in `~`
counts half: words that name a topic without saying what is wrong with it ("quality", "service",
"size", "waited"), so that "great service" is praise. In Chinese, Japanese, Korean and Arabic, whose
words carry particles and prefixes, a stem matches anywhere. English stems also match machine
translations into English (the pivot, when a translation provider is configured). Stems are written
comma-separated, one string per language. The twelve languages shipped later (it nl pl uk vi th ms hi
he fa sv cs) are in `theme_lexicon_added.py`, with how each is tokenised.
"""

from __future__ import annotations

from enum import StrEnum

from conversations.reports.theme_lexicon_added import ADDED


class ThemeKey(StrEnum):
    DELIVERY_TIME = "delivery_time"
    PARCEL_DAMAGE = "parcel_damage"
    PRODUCT_QUALITY = "product_quality"
    WRONG_ITEM = "wrong_item"
    PRICE_PAYMENT = "price_payment"
    REFUND_RETURN = "refund_return"
    CUSTOMER_SERVICE = "customer_service"
    WEBSITE_APP = "website_app"
    PRAISE = "praise"
    OTHER = "other"


T = ThemeKey
_WRITTEN: dict[ThemeKey, dict[str, str]] = {
    T.DELIVERY_TIME: {
        "en": "late=, later=, delay, slow deliver, took, waiting~, waited~, arriv~, "
        "shipping time, still not, never came, never arrived, weeks~, days~, postpon",
        "es": "tard, retras, lent~, llegó~, llego~, esper~, semanas~, días~, todavía no, "
        "aún no, plazo, aplaz",
        "pt": "atras, demor, chegou~, cheg~, esper~, semanas~, dias~, ainda não, prazo, lent~, adiou",
        "fr": "retard, lent~, arriv~, attend~, semaines~, jours~, toujours pas, délai, tard, report",
        "de": "spät, verspät, langsam~, dauert, gedauert, gebraucht, wart~, wochen~, tage~, "
        "immer noch, lieferzeit, angekommen~, kam~, verschoben",
        "ru": "опозд, задерж, долго, медлен~, ждал~, ждать~, жду~, недел~, дней~, до сих пор, "
        "не пришл, срок, позже, перенос",
        "tr": "geç, gecik, yavaş~, bekle~, bekli~, hâlâ, hafta~, gün~, hala gelmedi, gelmedi, "
        "süre=, teslimat süresi, ertele",
        "id": "terlambat, lambat~, lama~, menunggu~, tunggu~, minggu~, hari~, belum sampai, belum datang",
        "ar": "تأخر, متأخر, بطيء~, انتظر~, أسابيع~, أيام~, لم يصل, وصل~",
        "zh": "慢~, 迟, 延误, 晚到, 晚了, 等了, 还没到, 没收到, 才到, 才收到, 推迟, 配送时间",
        "ja": "遅, 届かな, 待~, 週間~, 日もかか, まだ届",
        "ko": "늦, 지연, 느리~, 기다~, 주일~, 아직 안, 배송이 오래",
    },
    T.PARCEL_DAMAGE: {
        "en": "damag, crush, dent, box~, packag~, parcel~, torn, wet=, soaking, smashed, leak, padding",
        "es": "dañad, aplast, abollad, caja~, paquete~, embalaje, empaquet, mojad, empapad, derram, destroz",
        "pt": "danific, amass, caixa~, pacote~, embalagem, embalad, rasgad, molhad, encharcad, vazou",
        "fr": "endommag, écras, abîm, enfonc, trempé, boîte~, carton~, colis~, emballage, "
        "emballé, déchir, mouill, coulé",
        "de": "beschädig, zerdrückt, eingedrückt, eingedellt, durchnässt, schachtel~, karton~, "
        "paket~, verpackung, verpackt, zerrissen, aufgerissen, nass, ausgelaufen",
        "ru": "поврежд, помят, смят, коробк~, посылк~, упаков, порван, мокр, промок, вытек",
        "tr": "hasar, ezil, kutu~, paket~, ambalaj, yırtık, yırtıl, ıslak, sırılsıklam, göçük, akmış",
        "id": "rusak, penyok, kardus~, kotak~, paket~, kemasan, sobek, basah",
        "ar": "تالف, متضرر, مكسور, الصندوق~, الطرد~, التغليف, ممزق, مبلل",
        "zh": "破损, 压坏, 压扁, 包装, 盒子~, 箱子~, 外箱, 湿了, 淋湿, 漏了, 摔坏",
        "ja": "破損, 潰れ, へこ, 箱~, 梱包, 包装, 濡れ",
        "ko": "파손, 찌그러, 박스~, 상자~, 포장, 젖",
    },
    T.PRODUCT_QUALITY: {
        "en": "quality~, broke, broken, defect, cheap, poor, stopped working, doesn't work, "
        "does not work, faulty, fell apart, came apart, material~, flimsy, dead pixel, "
        "barely lasts",
        "es": "calidad~, defectu, se rompió, roto, no funciona, dejó de funcionar, material~, "
        "barat, mala, endeble, se abrieron",
        "pt": "qualidade~, defeit, quebr, não funciona, parou de funcionar, material~, frágil, ruim, péssim",
        "fr": "qualité~, défectu, cassé, ne marche, ne fonctionne, matériau~, fragile, mauvais, défait",
        "de": "qualität~, defekt, kaputt, funktioniert nicht, nicht mehr, gerissen, wackelig, "
        "billig, material~, schlecht, minderwertig, aufgegangen",
        "ru": "качеств~, брак, сломал, не работает, перестал работать, дешёв, дешев, хлипк, "
        "материал~, плох, разошлись",
        "tr": "kalite~, kusurlu, bozuk, bozul, kırıl, çalışmıyor, ucuz, dayanıksız, malzeme~, kötü, söküldü",
        "id": "kualitas~, cacat, rusak, tidak berfungsi, murahan, bahan~, jelek",
        "ar": "الجودة~, جودة~, معيب, عطل, لا يعمل, رديء, الخامة~",
        "zh": "质量~, 做工, 坏了, 不能用, 瑕疵, 材质~, 劣质, 廉价, 起球, 坏点",
        "ja": "品質~, 不良, 壊れ, 動かな, 作りが, 素材~, 安っぽ",
        "ko": "품질~, 불량, 고장, 작동하지, 재질~, 싸구려",
    },
    T.WRONG_ITEM: {
        "en": "wrong, missing, different~, not what i ordered, size~, colour~, color~, "
        "instead of, incomplete, someone else",
        "es": "equivocad, incorrect, falta, faltaba, distint~, otro producto, otra persona, "
        "talla~, color~, en vez de, no es lo que pedí",
        "pt": "errad, falt, diferente~, outro produto, outra pessoa, tamanho~, cor=, em vez, não é o que",
        "fr": "mauvais article, mauvaise taille, erreur, manqu, différent~, autre produit, "
        "quelqu'un d'autre, taille~, couleur~, au lieu, pas ce que",
        "de": "falsch, fehlt, fehlte, nicht bestellt, anderes~, jemand anderem, größe~, "
        "farbe~, statt, unvollständig",
        "ru": "не тот, не то, другую, другой товар, не хватал, отсутств, чужой, размер~, "
        "цвет~, вместо, перепута",
        "tr": "yanlış, eksik, ürün değil, başkasının, farklı~, beden~, renk~, yerine",
        "id": "salah, kurang, berbeda~, ukuran~, warna~, bukan yang saya pesan",
        "ar": "خطأ, خاطئ, ناقص, مختلف~, المقاس~, اللون~, بدلا",
        "zh": "发错, 错了, 少了, 漏发, 收到的是, 不一样, 尺码~, 颜色~, 不是我买的, 别人的",
        "ja": "間違, 足りな, 違う~, サイズ~, 色が~, 入っていな",
        "ko": "잘못, 누락, 다른~, 사이즈~, 색상~, 빠져",
    },
    T.PRICE_PAYMENT: {
        "en": "price, expensive, overpriced, charged, payment, pay=, paid, card=, fee=, fees=, "
        "discount, coupon, invoice, cost",
        "es": "precio, caro, cobr, gastos, pago, pagar, pagué, tarjeta, comisión, descuento, "
        "cupón, factura, costaba",
        "pt": "preço, caro, cobr, pagamento, pagar, paguei, cartão, taxa, desconto, cupom, "
        "boleto, frete, custou",
        "fr": "prix, cher, débit, factur, paiement, payer, payé, carte, frais, réduction, promo, coûte",
        "de": "preis, teuer, abgebucht, zahlung, bezahl, gezahlt, karte, gebühr, rabatt, "
        "gutschein, rechnung, kostet",
        "ru": "цен, дорог, списал, списа, оплат, платеж, платёж, заплат, карт, комисс, скидк, "
        "промокод, счёт, стоил",
        "tr": "fiyat, pahalı, ücret, ödeme, ödedim, kart, indirim, kupon, fatura",
        "id": "harga, mahal, dipotong, pembayaran, bayar, kartu, biaya, diskon, voucher",
        "ar": "السعر, غالي, الدفع, دفع, البطاقة, رسوم, خصم, كوبون",
        "zh": "价格, 贵, 扣了, 扣款, 费用, 付款, 支付, 信用卡, 银行卡, 手续费, 优惠, 发票, 运费, 原价",
        "ja": "価格, 値段, 高い, 支払, 決済, カード, 手数料, 割引, クーポン",
        "ko": "가격, 비싸, 결제, 카드, 수수료, 할인, 쿠폰",
    },
    T.REFUND_RETURN: {
        "en": "refund, return, money back, send it back, sent the item back, exchange, reimburs",
        "es": "reembols, devoluc, devolver, devolví, devuelvan, mi dinero, cambiarlo, cambio",
        "pt": "reembols, devoluç, devolver, devolvi, meu dinheiro, dinheiro de volta, estorno, troca, trocar",
        "fr": "rembours, retour, renvoy, échang, mon argent",
        "de": "erstatt, rückerstatt, rücksend, zurückgeschickt, zurückschicken, umtausch, "
        "geld zurück, retoure, rückzahlung",
        "ru": "возврат, вернуть, вернули, верните, деньги назад, обмен, возмещ",
        "tr": "iade, geri ödeme, paramı, değiş, parası",
        "id": "refund, pengembalian, kembalikan, uang kembali, tukar",
        "ar": "استرداد, استرجاع, إرجاع, ارجاع, أموالي, استبدال",
        "zh": "退款, 退货, 退钱, 换货, 退回, 退给, 想换, 寄回",
        "ja": "返金, 返品, 交換, 払い戻",
        "ko": "환불, 반품, 교환",
    },
    T.CUSTOMER_SERVICE: {
        "en": "support, service~, agent, staff, rude, answer, respond, reply, replied, no one, "
        "nobody, call, chat~, helpful~, unhelpful, on hold, minutes, talk to, spoke",
        "es": "atención~, servicio~, agente, personal~, grosera, grosero, maleducad, "
        "respuesta, respond, nadie, llamé, llamada, amable~, minutos, hablar con, hablé",
        "pt": "atendimento~, atendente, suporte, grosseir, mal educad, resposta, respond, "
        "ninguém, liguei, ligação, ligar, educad~, minutos, falar com, falei",
        "fr": "service client, conseill, support, impoli, réponse, répond, personne n, appel, "
        "rappeler, aimable~, sav=, minutes, parler à, interlocuteur",
        "de": "kundenservice, kundendienst, service~, support, mitarbeiter, unfreundlich, "
        "antwort, geantwortet, niemand, anruf, rückruf, hotline, freundlich~, minuten, "
        "warteschleife, sprechen, aufgelegt",
        "ru": "поддержк, оператор, сотрудник, груб, нагруб, ответ, никто, звонил, звонок, "
        "перезвон, вежлив~, служб, минут, на линии, поговор, говорил",
        "tr": "müşteri hizmet, destek, temsilci, kaba, cevap, yanıt, kimse, aradım, arayacak, "
        "ilgili~, dakika, konuşmak, konuştuğum",
        "id": "layanan pelanggan, cs=, admin=, kasar, jawab, balas, tidak ada yang, telepon, ramah~",
        "ar": "خدمة العملاء, الدعم, الموظف, وقح, الرد, يرد, لا أحد, اتصلت, لطيف~",
        "zh": "客服, 服务态度, 态度, 回复, 没人理, 不理, 电话, 回电, 售后, 分钟, 服务~",
        "ja": "サポート, カスタマー, 対応, 返信, 返事, 電話, 態度, 失礼",
        "ko": "고객센터, 상담, 직원, 불친절, 답변, 응답, 전화, 친절~",
    },
    T.WEBSITE_APP: {
        "en": "website, site=, app=, apps=, checkout, log in, login, password, page=, search, "
        "bug=, crash, tracking, filters, phone~",
        "es": "página, web=, aplicación, app=, contraseña, iniciar sesión, buscador, "
        "seguimiento, error, móvil, filtros",
        "pt": "site=, aplicativo, app=, senha, login, página, rastreamento, travou, erro, "
        "celular, busca, filtros",
        "fr": "site=, appli, mot de passe, connecter, connexion, page, recherche, bug=, suivi, "
        "plant, mobile, filtres",
        "de": "webseite, website, seite=, app=, passwort, anmeld, login, suche, "
        "sendungsverfolgung, absturz, stürzt, fehler, handy, filter, bezahlseite",
        "ru": "сайт, приложени, пароль, вход, войти, страниц, поиск, отслежив, глюч, вылета, "
        "на телефоне, фильтр",
        "tr": "site=, uygulama, şifre, giriş, sayfa, arama, takip, hata, telefonda, filtre",
        "id": "situs, website, aplikasi, kata sandi, login, halaman, pencarian, lacak, error",
        "ar": "الموقع, التطبيق, كلمة المرور, تسجيل الدخول, الصفحة, البحث, التتبع",
        "zh": "网站, 网页, app, 应用, 密码, 登录, 页面, 搜索, 闪退, 物流信息, 卡住, 链接, 筛选",
        "ja": "サイト, アプリ, パスワード, ログイン, ページ, 検索, 追跡",
        "ko": "사이트, 앱, 어플, 비밀번호, 로그인, 페이지, 검색, 배송 조회",
    },
    T.PRAISE: {
        "en": "great, excellent, love, perfect, thank, amazing, happy, recommend, "
        "fast deliver, well done, awesome, satisfied, best",
        "es": "excelente, genial, encanta, perfect, gracias, feliz, recomiend, muy bien, "
        "contento, contenta, satisfech, mejor, buen trabajo",
        "pt": "excelente, ótim, adorei, perfeit, obrigad, feliz, recomend, muito bom, "
        "satisfeit, melhor, parabéns",
        "fr": "excellent, génial, adore, parfait, merci, ravi, recommand, très bien, "
        "satisfait, super, meilleur, bravo, content",
        "de": "ausgezeichnet, toll, super, perfekt, danke, begeistert, empfehl, sehr gut, "
        "zufrieden, prima, liebe, beste, gut gemacht",
        "ru": "отличн, прекрасн, спасибо, идеальн, доволен, довольна, рекоменд, супер, "
        "всё хорошо, все хорошо, лучший, молодцы",
        "tr": "harika, mükemmel, teşekkür, memnun, tavsiye, süper, çok iyi, bayıldım, en iyi, emeğinize",
        "id": "bagus, mantap, sempurna, terima kasih, puas, rekomendasi, keren, senang",
        "ar": "ممتاز, رائع, شكرا, مثالي, سعيد, أنصح, راض",
        "zh": "很好, 非常好, 很棒, 满意, 谢谢, 完美, 推荐, 好评, 喜欢, 不错, 点赞, 最好",
        "ja": "素晴らし, 最高, ありがと, 満足, 完璧, おすすめ, 良かった",
        "ko": "최고, 훌륭, 감사, 만족, 완벽, 추천, 좋아요, 좋았",
    },
}
LEXICON: dict[ThemeKey, dict[str, tuple[str, ...]]] = {
    theme: {
        language: tuple(s.strip() for s in stems.split(",") if s.strip())
        for language, stems in (by | ADDED[theme.value]).items()
    }
    for theme, by in _WRITTEN.items()
}
