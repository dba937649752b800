# Training pairs, one rule per level -> a fine-tuned checkpoint per (dataset, encoder + level),
# which dense.smk embeds.


rule finetune_pairs_qd:
    input:
        manifests=fill(layout.MANIFEST, condition="original"),
        pairs=layout.QUERY_DOCUMENTS,
    output:
        train=fill(layout.FINETUNE_PAIRS, level="qd", split="train"),
        validation=fill(layout.FINETUNE_PAIRS, level="qd", split="validation"),
    log:
        "logs/finetune/{dataset}.pairs_qd.log",
    benchmark:
        "logs/finetune/{dataset}.pairs_qd.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=2000,
    params:
        settings=PLAN.finetune_pairs_settings("qd"),
    script:
        "../scripts/finetune_pairs_qd.py"


rule finetune_pairs_phrase:
    input:
        unpack(phrase_pairs_inputs),
    output:
        train=fill(layout.FINETUNE_PAIRS, level="phrase", split="train"),
        validation=fill(layout.FINETUNE_PAIRS, level="phrase", split="validation"),
    log:
        "logs/finetune/{dataset}.pairs_phrase.log",
    benchmark:
        "logs/finetune/{dataset}.pairs_phrase.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=2000,
    params:
        settings=PLAN.finetune_pairs_settings("phrase"),
        language_pairs=phrase_language_pairs,
    script:
        "../scripts/finetune_pairs_phrase.py"


rule finetune_pairs_word:
    input:
        releases=word_pairs_inputs,
    output:
        train=fill(layout.FINETUNE_PAIRS, level="word", split="train"),
        validation=fill(layout.FINETUNE_PAIRS, level="word", split="validation"),
    log:
        "logs/finetune/{dataset}.pairs_word.log",
    benchmark:
        "logs/finetune/{dataset}.pairs_word.benchmark.tsv"
    conda:
        "../../envs/pipeline.yaml"
    resources:
        mem_mb=2000,
    params:
        settings=PLAN.finetune_pairs_settings("word"),
        languages=finetune_languages,
    script:
        "../scripts/finetune_pairs_word.py"


rule finetune:
    input:
        unpack(finetune_pairs),
    output:
        model=directory(layout.FINETUNED_MODEL),
        record=layout.FINETUNE_RECORD,
    log:
        "logs/finetune/{dataset}.{encoder}.log",
    benchmark:
        "logs/finetune/{dataset}.{encoder}.benchmark.tsv"
    wildcard_constraints:
        encoder=layout.FINETUNED_ENCODER,
    conda:
        "../../envs/pipeline.yaml"
    threads: 2
    resources:
        mem_mb=8000,
    params:
        base=finetune_base,
        settings=finetune_training_settings,
    script:
        "../scripts/finetune.py"
