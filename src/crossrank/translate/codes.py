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
# The 202 language codes NLLB-200 was trained on (its tokenizer's language tokens), so a code in
# translation.nllb.language_codes is checked when the configuration is, not when the model loads.
NLLB_LANGUAGES: frozenset[str] = frozenset({
    "ace_Arab", "ace_Latn", "acm_Arab", "acq_Arab", "aeb_Arab", "afr_Latn", "ajp_Arab", "aka_Latn", "als_Latn", "amh_Ethi",
    "apc_Arab", "arb_Arab", "ars_Arab", "ary_Arab", "arz_Arab", "asm_Beng", "ast_Latn", "awa_Deva", "ayr_Latn", "azb_Arab",
    "azj_Latn", "bak_Cyrl", "bam_Latn", "ban_Latn", "bel_Cyrl", "bem_Latn", "ben_Beng", "bho_Deva", "bjn_Arab", "bjn_Latn",
    "bod_Tibt", "bos_Latn", "bug_Latn", "bul_Cyrl", "cat_Latn", "ceb_Latn", "ces_Latn", "cjk_Latn", "ckb_Arab", "crh_Latn",
    "cym_Latn", "dan_Latn", "deu_Latn", "dik_Latn", "dyu_Latn", "dzo_Tibt", "ell_Grek", "eng_Latn", "epo_Latn", "est_Latn",
    "eus_Latn", "ewe_Latn", "fao_Latn", "fij_Latn", "fin_Latn", "fon_Latn", "fra_Latn", "fur_Latn", "fuv_Latn", "gaz_Latn",
    "gla_Latn", "gle_Latn", "glg_Latn", "grn_Latn", "guj_Gujr", "hat_Latn", "hau_Latn", "heb_Hebr", "hin_Deva", "hne_Deva",
    "hrv_Latn", "hun_Latn", "hye_Armn", "ibo_Latn", "ilo_Latn", "ind_Latn", "isl_Latn", "ita_Latn", "jav_Latn", "jpn_Jpan",
    "kab_Latn", "kac_Latn", "kam_Latn", "kan_Knda", "kas_Arab", "kas_Deva", "kat_Geor", "kaz_Cyrl", "kbp_Latn", "kea_Latn",
    "khk_Cyrl", "khm_Khmr", "kik_Latn", "kin_Latn", "kir_Cyrl", "kmb_Latn", "kmr_Latn", "knc_Arab", "knc_Latn", "kon_Latn",
    "kor_Hang", "lao_Laoo", "lij_Latn", "lim_Latn", "lin_Latn", "lit_Latn", "lmo_Latn", "ltg_Latn", "ltz_Latn", "lua_Latn",
    "lug_Latn", "luo_Latn", "lus_Latn", "lvs_Latn", "mag_Deva", "mai_Deva", "mal_Mlym", "mar_Deva", "min_Latn", "mkd_Cyrl",
    "mlt_Latn", "mni_Beng", "mos_Latn", "mri_Latn", "mya_Mymr", "nld_Latn", "nno_Latn", "nob_Latn", "npi_Deva", "nso_Latn",
    "nus_Latn", "nya_Latn", "oci_Latn", "ory_Orya", "pag_Latn", "pan_Guru", "pap_Latn", "pbt_Arab", "pes_Arab", "plt_Latn",
    "pol_Latn", "por_Latn", "prs_Arab", "quy_Latn", "ron_Latn", "run_Latn", "rus_Cyrl", "sag_Latn", "san_Deva", "sat_Beng",
    "scn_Latn", "shn_Mymr", "sin_Sinh", "slk_Latn", "slv_Latn", "smo_Latn", "sna_Latn", "snd_Arab", "som_Latn", "sot_Latn",
    "spa_Latn", "srd_Latn", "srp_Cyrl", "ssw_Latn", "sun_Latn", "swe_Latn", "swh_Latn", "szl_Latn", "tam_Taml", "taq_Latn",
    "taq_Tfng", "tat_Cyrl", "tel_Telu", "tgk_Cyrl", "tgl_Latn", "tha_Thai", "tir_Ethi", "tpi_Latn", "tsn_Latn", "tso_Latn",
    "tuk_Latn", "tum_Latn", "tur_Latn", "twi_Latn", "tzm_Tfng", "uig_Arab", "ukr_Cyrl", "umb_Latn", "urd_Arab", "uzn_Latn",
    "vec_Latn", "vie_Latn", "war_Latn", "wol_Latn", "xho_Latn", "ydd_Hebr", "yor_Latn", "yue_Hant", "zho_Hans", "zho_Hant",
    "zsm_Latn", "zul_Latn",
})
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


def unknown_codes(overrides: Mapping[str, str] | None) -> dict[str, str]:
    """The entries of ``translation.nllb.language_codes`` whose code is none of NLLB-200's languages."""
    return {lang: code for lang, code in (overrides or {}).items() if code not in NLLB_LANGUAGES}


def unmapped(languages: list[str], overrides: Mapping[str, str] | None = None) -> list[str]:
    """The languages among ``languages`` that would need translating but have no FLORES-200 code."""
    table = {**FLORES_CODES, **(overrides or {})}
    return [lang for lang in languages if lang not in ENGLISH_SOURCES and lang not in table]
