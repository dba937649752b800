# Original documents -> English documents (the translated condition).


rule translate_shard:
    input:
        manifests=fill(layout.MANIFEST, condition="original"),
        documents=fill(layout.DOCUMENTS, condition="original"),
    output:
        shard=temp(layout.TRANSLATION_SHARD),
    log:
        "logs/translate/{dataset}.shard{shard}.log",
    benchmark:
        "logs/translate/{dataset}.shard{shard}.benchmark.tsv"
    wildcard_constraints:
        shard="[0-9]+",
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=16000,
        gpu=PLAN.nllb["gpus_per_shard"],
    params:
        nllb=PLAN.nllb,
        shards=PLAN.nllb["shards"],
        cache=layout.TRANSLATION_CACHE,
    script:
        "../scripts/translate_shard.py"


rule translate:
    input:
        manifests=fill(layout.MANIFEST, condition="original"),
        documents=fill(layout.DOCUMENTS, condition="original"),
        english=english_input,
    output:
        documents=fill(layout.DOCUMENTS, condition="translated"),
        record=layout.TRANSLATIONS,
        summary=layout.TRANSLATION_SUMMARY,
        manifest=fill(layout.MANIFEST, condition="translated"),
    log:
        "logs/translate/{dataset}.log",
    benchmark:
        "logs/translate/{dataset}.benchmark.tsv"
    wildcard_constraints:
        dataset=layout.any_of(PLAN.translated),
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    params:
        backend=translation_backend,
        nllb=nllb_settings,
    script:
        "../scripts/translate.py"


rule skip_translation:
    input:
        documents=fill(layout.DOCUMENTS, condition="original"),
    output:
        record=layout.TRANSLATIONS,
        summary=layout.TRANSLATION_SUMMARY,
    log:
        "logs/translate/{dataset}.log",
    benchmark:
        "logs/translate/{dataset}.benchmark.tsv"
    wildcard_constraints:
        dataset=layout.any_of(PLAN.untranslated),
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=1000,
    script:
        "../scripts/skip_translation.py"


rule translation_quality:
    input:
        manifests=[fill(layout.MANIFEST, condition=c) for c in layout.CONDITIONS],
        documents=fill(layout.DOCUMENTS, condition="original"),
        translated=fill(layout.DOCUMENTS, condition="translated"),
        reference=layout.ORACLE_ENGLISH,
    output:
        quality=layout.TRANSLATION_QUALITY,
    log:
        "logs/translate/{dataset}.quality.log",
    benchmark:
        "logs/translate/{dataset}.quality.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=2000,
    script:
        "../scripts/translation_quality.py"
