"""The sample store: pre-extracted positives and negatives, their crops one after another in one file.

Layout of a store folder (format version 2)::

    STORE/meta.json    format, version, codec, classes, source, counts, summary, checksums
    STORE/index.npy    one record per sample (see INDEX_DTYPE)
    STORE/pixels.bin   the crops as the codec wrote them (crop_codec.py: raw RGB or JPEG), in
                       index order, each from its ``offset`` to the next one's

Reading a sample is one slice of the memory-mapped file, then the codec's decode (none for raw:
docs/method.md §7). Version 1 stores (raw only, no ``codec`` in the metadata) read as raw.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Optional

import numpy as np

from mmjigsaw.errors import DataError
from mmjigsaw.structures import ASPECT_GROUPS
from mmjigsaw.utils import file_sha256
from .crop_codec import CropCodec

STORE_FORMAT = 'mmjigsaw-sample-store'
STORE_VERSION = 2
READABLE_VERSIONS = (1, 2)
META_FILE, INDEX_FILE, PIXELS_FILE = 'meta.json', 'index.npy', 'pixels.bin'
#: Records the writer keeps as Python tuples before packing them (77 bytes each packed, ~5x that as tuples).
RECORDS_PER_CHUNK = 1 << 16

INDEX_DTYPE = np.dtype([
    ('offset', '<i8'),      # byte offset of the crop in pixels.bin; it ends where the next begins
    ('height', '<i4'),
    ('width', '<i4'),
    ('label', '<i4'),       # background = number of object classes
    ('group', 'u1'),        # index into ASPECT_GROUPS
    ('image_id', '<i8'),    # COCO id of the source image
    ('crop_box', '<i4', 4),  # [x1, y1, x2, y2] in source-image pixels
    ('gt_box', '<f8', 4),   # NaN for negatives
])


class SampleStoreWriter:
    """Appends samples to a store folder; :meth:`close` writes the index and the metadata last.

    Args:
        folder: the store folder to create.
        codec: how the crops given to :meth:`add` were encoded.
    """

    def __init__(self, folder: str, codec: CropCodec):
        os.makedirs(folder, exist_ok=True)
        self.folder = folder
        self.codec = codec
        self._pixels = open(osp.join(folder, PIXELS_FILE), 'wb')
        self._records: List[tuple] = []
        self._chunks: List[np.ndarray] = []  # packed records: tens of millions of samples fit in memory
        self._offset = 0

    def add(self, data: bytes, label: int, group: str, image_id: int, crop_box, gt_box) -> None:
        """Append one crop, encoded by ``self.codec.encode``, and its record; the crop's size is
        its ``crop_box`` ([x1, y1, x2, y2] source pixels)."""
        x1, y1, x2, y2 = (int(v) for v in crop_box)
        if self.codec.format == 'raw' and len(data) != (y2 - y1) * (x2 - x1) * 3:
            raise ValueError(f'{len(data)} bytes for a raw {x2 - x1}x{y2 - y1} crop')
        self._pixels.write(data)
        gt = np.full(4, np.nan) if gt_box is None else np.asarray(gt_box, dtype=np.float64)
        self._records.append((self._offset, y2 - y1, x2 - x1, label,
                              ASPECT_GROUPS.index(group), image_id, (x1, y1, x2, y2), tuple(gt)))
        self._offset += len(data)
        if len(self._records) == RECORDS_PER_CHUNK:
            self._chunks.append(np.array(self._records, dtype=INDEX_DTYPE))
            self._records = []

    def close(self, classes: List[str], source: Dict, summary: Dict) -> None:
        self._pixels.close()
        index = np.concatenate([*self._chunks, np.array(self._records, dtype=INDEX_DTYPE)])
        np.save(osp.join(self.folder, INDEX_FILE), index)
        meta = dict(format=STORE_FORMAT, version=STORE_VERSION, codec=self.codec.to_meta(), classes=list(classes),
                    source=source, num_samples=len(index), pixels_bytes=self._offset, summary=summary,
                    checksums={name: file_sha256(osp.join(self.folder, name))
                               for name in (INDEX_FILE, PIXELS_FILE)})
        with open(osp.join(self.folder, META_FILE), 'w') as f:
            json.dump(meta, f, indent=1)


class SampleStore:
    """Read access to a sample store.

    ``store[i]`` is a dict: ``img`` (H, W, 3) uint8 RGB (read-only; for raw a view of the file), ``label``
    (int, background = number of object classes), ``group`` ('S', 'T' or 'W'), ``image_id``,
    ``crop_box`` ([x1, y1, x2, y2] source pixels: exactly what ``img`` holds) and ``gt_box``
    ([x1, y1, x2, y2] for a positive, ``None`` for a negative).

    Opening checks the format, version, sizes and the index checksum; :meth:`verify` also hashes
    the pixels. The index is read into memory before any worker process forks, and only read
    afterwards, so workers share its pages (copy-on-write) instead of each holding a copy.
    """

    def __init__(self, folder: str):
        self.folder = folder
        meta_path = osp.join(folder, META_FILE)
        if not osp.isfile(meta_path):
            raise DataError(f'{folder}: not a complete sample store (no {META_FILE}); '
                            'run tools/extract_samples.py again.')
        try:
            with open(meta_path) as f:
                self.meta = json.load(f)
        except json.JSONDecodeError as err:
            raise DataError(f'{meta_path}: unreadable ({err}); extract the store again.') from None
        if self.meta.get('format') != STORE_FORMAT:
            raise DataError(f'{folder}: not an mmjigsaw sample store.')
        if self.meta.get('version') not in READABLE_VERSIONS:
            raise DataError(f'{folder}: store format version {self.meta.get("version")}, this mmjigsaw '
                            f'reads versions {READABLE_VERSIONS}; extract the store again.')
        index_path, pixels_path = osp.join(folder, INDEX_FILE), osp.join(folder, PIXELS_FILE)
        for path in (index_path, pixels_path):
            if not osp.isfile(path):
                raise DataError(f'{path}: missing; extract the store again.')
        if osp.getsize(pixels_path) != self.meta['pixels_bytes']:
            raise DataError(f'{pixels_path}: {osp.getsize(pixels_path)} bytes, the store records '
                            f'{self.meta["pixels_bytes"]}: truncated or altered; extract it again.')
        if file_sha256(index_path) != self.meta['checksums'][INDEX_FILE]:
            raise DataError(f'{index_path}: checksum mismatch: altered or damaged; extract it again.')
        self.index = np.load(index_path)
        if len(self.index) != self.meta['num_samples']:
            raise DataError(f'{index_path}: {len(self.index)} records, the store records '
                            f'{self.meta["num_samples"]}; extract it again.')
        self.codec = CropCodec.from_meta(self.meta)
        self._ends = np.append(self.index['offset'][1:], self.meta['pixels_bytes'])
        self._pixels: Optional[np.ndarray] = None

    @property
    def classes(self) -> List[str]:
        """Class names, background last."""
        return list(self.meta['classes']) + ['background']

    @property
    def num_classes(self) -> int:
        """Object classes (without background)."""
        return len(self.meta['classes'])

    @property
    def source(self) -> Dict:
        """``ann_file`` and ``img_dir`` the store was extracted from."""
        return self.meta['source']

    @property
    def summary(self) -> Dict:
        return self.meta['summary']

    @property
    def disk_bytes(self) -> int:
        """Bytes of the store's files (metadata, index, crops)."""
        return sum(osp.getsize(osp.join(self.folder, name)) for name in (META_FILE, INDEX_FILE, PIXELS_FILE))

    @property
    def labels(self) -> np.ndarray:
        return self.index['label']

    @property
    def groups(self) -> np.ndarray:
        """(N,) group indices into ASPECT_GROUPS."""
        return self.index['group']

    def group_indices(self) -> Dict[str, np.ndarray]:
        """Sample indices of each aspect group."""
        return {g: np.flatnonzero(self.index['group'] == i) for i, g in enumerate(ASPECT_GROUPS)}

    def verify(self) -> None:
        """Hash the pixels too (reads the whole store)."""
        path = osp.join(self.folder, PIXELS_FILE)
        if file_sha256(path) != self.meta['checksums'][PIXELS_FILE]:
            raise DataError(f'{path}: checksum mismatch: altered or damaged; extract it again.')

    def __len__(self) -> int:
        return len(self.index)

    def image(self, i: int) -> np.ndarray:
        """The (H, W, 3) uint8 RGB crop of sample ``i``, read-only (raw: a view of the file).

        Raises:
            DataError: its bytes do not decode (a damaged store; :meth:`verify` says so).
        """
        if self._pixels is None:  # opened lazily, so that each worker process maps its own
            # a plain ndarray over the map: slicing it skips np.memmap's per-slice bookkeeping
            self._pixels = np.memmap(osp.join(self.folder, PIXELS_FILE), np.uint8, mode='r').view(np.ndarray)
        rec = self.index[i]
        try:
            return self.codec.decode(self._pixels[rec['offset']:self._ends[i]], int(rec['height']),
                                     int(rec['width']))
        except DataError as err:
            raise DataError(f'{self.folder}: sample {i}: {err}; the store is damaged, extract it again.') from None

    def __getitem__(self, i: int) -> Dict:
        rec = self.index[i]
        gt = rec['gt_box']
        return dict(img=self.image(i), label=int(rec['label']), group=ASPECT_GROUPS[rec['group']],
                    image_id=int(rec['image_id']), crop_box=rec['crop_box'].tolist(),
                    gt_box=None if np.isnan(gt).any() else gt.tolist())

    def __getstate__(self):
        state = self.__dict__.copy()
        state['_pixels'] = None
        return state
