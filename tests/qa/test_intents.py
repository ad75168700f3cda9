"""Which messages are small talk, questions about the class, or personal matters, and which are
course questions that only look like them: the hard cases, in zh, es and en, as people type them."""

from __future__ import annotations

import pytest

from bot.qa.intents import Intent, read_intent, without_small_talk

SMALL_TALK: list[tuple[str, Intent]] = [
    ("hola buenas tardes", Intent.hello),
    ("Hola!!", Intent.hello),
    ("holaaa", Intent.hello),
    ("buenos dias maestra", Intent.hello),
    ("Buenas noches", Intent.hello),
    ("hello", Intent.hello),
    ("hi teacher", Intent.hello),
    ("good morning", Intent.hello),
    ("你好", Intent.hello),
    ("老师好", Intent.hello),
    ("您好呀", Intent.hello),
    ("早上好啊", Intent.hello),
    ("gracias", Intent.thanks),
    ("Gracias maestra!", Intent.thanks),
    ("graciasss", Intent.thanks),
    ("grax", Intent.thanks),
    ("muchas gracias, Dios la bendiga", Intent.thanks),
    ("thank u", Intent.thanks),
    ("thx", Intent.thanks),
    ("ty", Intent.thanks),
    ("thanks a lot teacher", Intent.thanks),
    ("谢谢", Intent.thanks),
    ("谢谢老师", Intent.thanks),
    ("谢谢啦", Intent.thanks),
    ("辛苦了", Intent.thanks),
    ("adios", Intent.bye),
    ("hasta mañana", Intent.bye),
    ("bye bye", Intent.bye),
    ("再见", Intent.bye),
    ("拜拜", Intent.bye),
    ("ok", Intent.ok),
    ("Okey", Intent.ok),
    ("jajaja", Intent.ok),
    ("jsjsjs", Intent.ok),
    ("haha", Intent.ok),
    ("👍", Intent.ok),
    ("🙏🙏", Intent.ok),
    ("好的", Intent.ok),
    ("嗯嗯", Intent.ok),
    ("哈哈哈", Intent.ok),
    ("收到", Intent.ok),
    ("sale", Intent.ok),
    ("muy bien", Intent.ok),
]

CLASS: list[tuple[str, Intent]] = [
    ("¿Qué día es la próxima junta del grupo?", Intent.next_class),
    ("cuando es la proxima clase", Intent.next_class),
    ("A que hora es la transmision en vivo?", Intent.next_class),
    ("when is the next lesson?", Intent.next_class),
    ("What time is our next live session", Intent.next_class),
    ("下次上课是什么时候？", Intent.next_class),
    ("直播什么时候", Intent.next_class),
    ("下一节课几点开始", Intent.next_class),
    ("什么时候上课啊", Intent.next_class),
    ("上课，是哪天？", Intent.next_class),
    ("quien es mi maestra?", Intent.lecturer),
    ("Who is my teacher", Intent.lecturer),
    ("我的老师是谁", Intent.lecturer),
    ("en que grupo estoy", Intent.my_class),
    ("which class am I in?", Intent.my_class),
    ("我在哪个班", Intent.my_class),
]

PERSONAL: list[str] = [
    "¿Me puede llamar? Mi celular es 777 123 4567",
    "llameme por favor",
    "mi numero es 55-1234-5678",
    "Estoy enferma y no puedo hacer la lección",
    "ya hice mi pago y no me llega nada",
    "el señor de la tienda me debe dinero",
    "quiero poner una queja del instructor",
    "Please call me at +52 777 555 0101",
    "I am sick this week",
    "my address is 12 river road",
    "I want to complain about the teacher",
    "请给我打电话",
    "我的电话是13812345678",
    "我生病了，这周学不了",
    "我要投诉老师",
    "我的学费交了吗",
]

COURSE: list[tuple[str, str]] = [
    ("hola buenas, como empaco duraznos? gracias", "es"),
    ("Hola, ¿cuánto cobro por un kilo de miel?", "es"),
    ("buenas tardes maestra, como tomo fotos con el celular", "es"),
    ("¿Cuándo es mejor hacer una transmisión en vivo?", "es"),
    ("¿A qué hora conviene hacer el live?", "es"),
    ("como le llamo la atencion a los clientes", "es"),
    ("¿Cómo cobro a un cliente que no me ha pagado?", "es"),
    ("hi, how do I take good photos? thanks", "en"),
    ("When is the best time to go live?", "en"),
    ("what should I say in the next livestream to sell more", "en"),
    ("How do I answer a customer who complains about a late parcel?", "en"),
    ("Should I give buyers my phone number?", "en"),
    ("老师好，桃子怎么包装才不会压坏？谢谢", "zh"),
    ("直播什么时候开始比较好？", "zh"),
    ("什么时候发短视频人最多", "zh"),
    ("买家投诉水果坏了怎么办", "zh"),
    ("顾客不付款怎么办", "zh"),
    ("好的照片怎么拍", "zh"),
    ("我被骗了怎么办", "zh"),  # the course says what to do about a scam
    ("Me estafaron con un pago falso, ¿qué hago?", "es"),
]


@pytest.mark.parametrize(("text", "intent"), SMALL_TALK + CLASS)
def test_small_talk_and_class_questions_are_recognised(text: str, intent: Intent) -> None:
    assert read_intent(text) is intent


@pytest.mark.parametrize("text", PERSONAL)
def test_personal_matters_are_recognised(text: str) -> None:
    assert read_intent(text) is Intent.personal


@pytest.mark.parametrize(("text", "language"), COURSE)
def test_course_questions_that_look_like_small_talk_stay_course_questions(
    text: str, language: str
) -> None:
    assert read_intent(text) is None


def test_the_table_is_big_enough() -> None:
    assert len(SMALL_TALK) + len(CLASS) + len(PERSONAL) + len(COURSE) >= 60


def test_small_talk_words_are_small_talk_only_when_nothing_else_is_said() -> None:
    assert read_intent("gracias") is Intent.thanks
    assert read_intent("gracias por la leccion de fotos, como pongo precio") is None


@pytest.mark.parametrize(
    ("text", "searched"),
    [
        ("hola buenas, como empaco duraznos? gracias", "como empaco duraznos?"),
        ("Hi teacher! How do I price honey? Thank you 🙏", "How do I price honey?"),
        ("老师好，桃子怎么包装才不会压坏？谢谢", "桃子怎么包装才不会压坏？"),
        ("好评怎么来", "好评怎么来"),
        ("gracias!", "gracias!"),
        ("hola como empaco duraznos", "hola como empaco duraznos"),
    ],
)
def test_the_greeting_and_thanks_around_a_question_are_not_searched(
    text: str, searched: str
) -> None:
    assert without_small_talk(text) == searched
