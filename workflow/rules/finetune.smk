# Training pairs -> a fine-tuned checkpoint per (dataset, encoder + level), which dense.smk embeds.


rule finetune:
    input:
        pairs=finetune_pairs,
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
        settings=PLAN.finetune_settings,
    script:
        "../scripts/finetune.py"
