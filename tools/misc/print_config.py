"""Print a config as it resolves: its ``_base_`` files (``mmdet::`` ones from the installed mmdet)
merged, with ``--cfg-options`` applied.

    python tools/misc/print_config.py CONFIG [--cfg-options k=v ...] [--save-path FILE]

--save-path also writes the resolved config (.py, .json or .yaml), loadable without its bases.
"""
import argparse

from mmengine.config import DictAction

from mmjigsaw.apis import load_config, run_cli


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config file')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys: k=v')
    parser.add_argument('--save-path', help='also write the resolved config here')
    return parser.parse_args()


def main():
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    print(f'Config:\n{cfg.pretty_text}')
    if args.save_path:
        cfg.dump(args.save_path)
        print(f'wrote {args.save_path}')


if __name__ == '__main__':
    run_cli(main)
