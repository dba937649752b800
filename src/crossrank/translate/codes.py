"""The datasets' language codes (ISO 639-1 and Wikipedia codes) as NLLB-200 / FLORES-200 codes.

Complete for every language of the embedded benchmark, CLIRMatrix (MULTI-8 and the BI-139
languages that NLLB-200 covers), mMARCO and Large-Scale CLIR. Choices where a code names a
macrolanguage follow the variety NLLB was trained on: ``ar`` is Modern Standard Arabic
(``arb_Arab``), ``zh`` Simplified Chinese (Wikipedia's default script conversion), ``fa``
Iranian Persian, ``ms`` Standard Malay, ``no`` Bokmål, ``lv`` Standard Latvian, ``mg`` Plateau
Malagasy, ``ku`` Kurmanji, ``qu`` Ayacucho Quechua, ``sq`` Tosk Albanian, ``uz`` Northern Uzbek
and ``mn`` Halh Mongolian. English and Simple English documents are copied, not translated.
"""

from __future__ import annotations

from collections.abc import Mapping

from crossrank.core.contract import VARIETY_OF
from crossrank.core.errors import ConfigError

TARGET_CODE = "eng_Latn"
# Sources that are already English (Simple English included): the paper copies them unchanged.
ENGLISH_SOURCES = frozenset({"en", *(code for code, base in VARIETY_OF.items() if base == "en")})

# fmt: off
FLORES_CODES: dict[str, str] = {
    "af": "afr_Latn", "am": "amh_Ethi", "ar": "arb_Arab", "arz": "arz_Arab", "ast": "ast_Latn", "az": "azj_Latn",
    "azb": "azb_Arab", "ba": "bak_Cyrl", "be": "bel_Cyrl", "bg": "bul_Cyrl", "bn": "ben_Beng", "bs": "bos_Latn",
    "bug": "bug_Latn", "ca": "cat_Latn", "ceb": "ceb_Latn", "ckb": "ckb_Arab", "cs": "ces_Latn", "cy": "cym_Latn",
    "da": "dan_Latn", "de": "deu_Latn", "el": "ell_Grek", "en": "eng_Latn", "eo": "epo_Latn", "es": "spa_Latn",
    "et": "est_Latn", "eu": "eus_Latn", "fa": "pes_Arab", "fi": "fin_Latn", "fo": "fao_Latn", "fr": "fra_Latn",
    "ga": "gle_Latn", "gd": "gla_Latn", "gl": "glg_Latn", "gu": "guj_Gujr", "he": "heb_Hebr", "hi": "hin_Deva",
    "hr": "hrv_Latn", "ht": "hat_Latn", "hu": "hun_Latn", "hy": "hye_Armn", "id": "ind_Latn", "ilo": "ilo_Latn",
    "is": "isl_Latn", "it": "ita_Latn", "ja": "jpn_Jpan", "jv": "jav_Latn", "ka": "kat_Geor", "kk": "kaz_Cyrl",
    "kn": "kan_Knda", "ko": "kor_Hang", "ku": "kmr_Latn", "ky": "kir_Cyrl", "lb": "ltz_Latn", "li": "lim_Latn",
    "lmo": "lmo_Latn", "lt": "lit_Latn", "lv": "lvs_Latn", "mai": "mai_Deva", "mg": "plt_Latn", "min": "min_Latn",
    "mk": "mkd_Cyrl", "ml": "mal_Mlym", "mn": "khk_Cyrl", "mr": "mar_Deva", "ms": "zsm_Latn", "my": "mya_Mymr",
    "ne": "npi_Deva", "nl": "nld_Latn", "nn": "nno_Latn", "no": "nob_Latn", "oc": "oci_Latn", "or": "ory_Orya",
    "pa": "pan_Guru", "pl": "pol_Latn", "ps": "pbt_Arab", "pt": "por_Latn", "qu": "quy_Latn", "ro": "ron_Latn",
    "ru": "rus_Cyrl", "sa": "san_Deva", "scn": "scn_Latn", "sd": "snd_Arab", "si": "sin_Sinh", "simple": "eng_Latn",
    "sk": "slk_Latn", "sl": "slv_Latn", "sq": "als_Latn", "sr": "srp_Cyrl", "su": "sun_Latn", "sv": "swe_Latn",
    "sw": "swh_Latn", "szl": "szl_Latn", "ta": "tam_Taml", "te": "tel_Telu", "tg": "tgk_Cyrl", "th": "tha_Thai",
    "tl": "tgl_Latn", "tr": "tur_Latn", "tt": "tat_Cyrl", "uk": "ukr_Cyrl", "ur": "urd_Arab", "uz": "uzn_Latn",
    "vec": "vec_Latn", "vi": "vie_Latn", "war": "war_Latn", "yi": "ydd_Hebr", "yo": "yor_Latn", "zh": "zho_Hans",
}
# fmt: on


def flores_code(lang: str, overrides: Mapping[str, str] | None = None) -> str:
    """The FLORES-200 code of a dataset language; ``overrides`` (``translation.nllb.language_codes``) win."""
    table = {**FLORES_CODES, **(overrides or {})}
    try:
        return table[lang]
    except KeyError:
        raise ConfigError(
            f"language {lang!r} has no NLLB-200 (FLORES-200) code, so its documents cannot be translated. "
            f"Fix: add it to params.yaml 'translation.nllb.language_codes' (e.g. {lang}: xxx_Latn), if the model "
            "covers it, or drop the language from the dataset."
        ) from None


def unmapped(languages: list[str], overrides: Mapping[str, str] | None = None) -> list[str]:
    """The languages among ``languages`` that would need translating but have no FLORES-200 code."""
    table = {**FLORES_CODES, **(overrides or {})}
    return [lang for lang in languages if lang not in ENGLISH_SOURCES and lang not in table]
