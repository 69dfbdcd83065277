"""Jiangmen's county-level divisions (GB/T 2260), the districts every case and project belongs to."""
CITY_CODE = "440700"
DISTRICT_NAMES = {"440703": "蓬江区", "440704": "江海区", "440705": "新会区", "440781": "台山市",
                  "440783": "开平市", "440784": "鹤山市", "440785": "恩平市"}
