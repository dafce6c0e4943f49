"""Injection patterns in other languages: German, French, Spanish/Portuguese/Italian, Dutch, Russian,
Chinese, Japanese, Korean, Polish and Turkish overrides, requests for full marks and addresses to
the grader (an undeclared language or script is also flagged on its own by
:mod:`grader.injection.language`).

One of the tables :mod:`grader.injection.patterns` joins (the last).
"""

from __future__ import annotations

from grader.injection._vocab import PatternTable

__all__ = ["PATTERNS"]

PATTERNS = PatternTable()
_p = PATTERNS.add

_p(
    "other-language",
    r"\b(?:ignorier\w*|missacht\w*|vergiss|vergessen\s+sie)\b[^.\n]{0,60}\b(?:anweisung\w*|vorgaben|regeln|rubrik)",
)
_p("other-language", r"\b(?:volle|maximale|höchste)\s+punkt(?:zahl|e)\b|höchstpunktzahl|bestnote|alle\s+punkte\b")
_p(
    "other-language",
    r"\b(?:hinweis|nachricht|anweisung)\s+an\s+(?:den|das|die)\s+(?:bewert\w+|prüf\w+|korrekt\w+|ki\b)",
)
_p(
    "other-language",
    r"\b(?:ignorez|ignore|oubliez|oublie)\b[^.\n]{0,40}\b(?:instructions|consignes|règles|directives)\s+(?:précédentes|"
    r"ci-dessus|antérieures)",
)
_p(
    "other-language",
    r"\bnote\s+(?:maximale|parfaite)|\b(?:tous|toutes)\s+les\s+points\b|\bcher\s+(?:correcteur|évaluateur|examinateur)",
)
_p(
    "other-language",
    r"\b(?:ignora|ignore|ignoren|olvida|olvide|esqueça|ignorate|dimentica)\b[^.\n]{0,40}\b(?:instrucciones|reglas|"
    r"indicaciones|instruções|regras|istruzioni|regole)\s+(?:anteriores|previas|prévias|precedenti)",
)
_p(
    "other-language",
    r"\b(?:puntuación|calificación|nota|puntaje|pontuação|punteggio|voto)\s+(?:máxima|massimo)|\bmáxima\s+(?:puntuación|"
    r"calificación|nota)|\btodos\s+los\s+puntos\b|\b(?:querido|estimado)\s+(?:evaluador|calificador|corrector)|\bavaliador\s*[,:]",
)
_p(
    "other-language",
    r"\bnegeer\b[^.\n]{0,40}\b(?:instructies|regels)|\bmaximale\s+(?:score|punten)\b|\bvolle\s+punten\b",
)
_p(
    "other-language",
    r"(?:проигнорир|игнорир)\w*|\bзабудь\w*\s+(?:все\s+)?(?:предыдущ\w+\s+)?инструкц\w*|максимальн\w*\s+(?:балл|оценк)\w*|"
    r"высш\w+\s+(?:балл|оценк)\w*|(?:проверяющ|оценщик|экзаменатор)\w*",
)
_p(
    "other-language",
    r"(?:忽略|无视|無視|忽视)[^。\n]{0,8}(?:之前|以上|前面|上面|先前|所有|全部)[^。\n]{0,6}(?:指令|指示|说明|規則|规则)|"
    r"(?:给|給|打)[^。\n]{0,10}(?:满分|滿分|最高分)|评分(?:者|员|系统)|阅卷(?:人|老师)",
)
_p("other-language", r"(?:以前|前|上記|これまで)の?(?:指示|命令|ルール)を?無視|満点|採点者|採点システム")
_p("other-language", r"이전\s*지시를?\s*무시|만점|최고\s*점수|채점자")
_p("other-language", r"\bzignoruj\b|\bmaksymaln\w+\s+(?:liczb\w+\s+)?punkt|\bönceki\s+talimatları\b|\btam\s+puan\b")
