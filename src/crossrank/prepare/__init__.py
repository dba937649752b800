"""Stage ``prepare`` (workflow/rules/prepare.smk): datasets -> the results contract, document texts and
training material. The dataset registry, the embedded ``cldr`` benchmark, readers of the released
formats, the paper's sampling protocol per released dataset, and the ir_datasets download."""
