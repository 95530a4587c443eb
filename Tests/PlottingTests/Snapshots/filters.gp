# dnb: first convolution layer's filters (4 filters 3x3; blue < 0 < red, range ±1)
# Self-contained (all data inline): render with `gnuplot filters.gp`;
# the image filters.png is written next to this script.
reset
set encoding utf8
set terminal pngcairo size 640,238 font 'DejaVu Sans,10' noenhanced
# ARG0 is this script's path as gnuplot was given it; keep its directory part.
dnb_dir = exists('ARG0') ? ARG0 : ''
dnb_i = strlen(dnb_dir)
while (dnb_i > 0 && dnb_dir[dnb_i:dnb_i] ne '/') { dnb_i = dnb_i - 1 }
dnb_dir = dnb_i > 0 ? dnb_dir[1:dnb_i] : ''
set output dnb_dir.'filters.png'

# filter 0: 3 rows of 3, top row first
$d0 << EOD
-1 0 1
-0.25 0.75 -0.5
0.5 -0.75 0.25
EOD
# filter 1: 3 rows of 3, top row first
$d1 << EOD
-0.75 0.25 -1
0 1 -0.25
0.75 -0.5 0.5
EOD
# filter 2: 3 rows of 3, top row first
$d2 << EOD
-0.5 0.5 -0.75
0.25 -1 0
1 -0.25 0.75
EOD
# filter 3: 3 rows of 3, top row first
$d3 << EOD
-0.25 0.75 -0.5
0.5 -0.75 0.25
-1 0 1
EOD

unset key
unset colorbox
unset tics
unset border
set size ratio -1
set xrange [-0.5:2.5]
# Row 0 of the data is the top row of the picture.
set yrange [2.5:-0.5]
set palette defined (-1 '#2166ac', 0 'white', 1 '#b2182b')
set cbrange [-1:1]
set multiplot layout 2,2 title 'first convolution layer''s filters (4 filters 3x3; blue < 0 < red, range ±1)' font ',12' margins 0.01562,0.9844,0.04202,0.7647 spacing 0.01562,0.1345
set title 'filter 0' offset 0,-0.6 textcolor rgb 'black'
unset border
plot $d0 matrix with image
set title 'filter 1' offset 0,-0.6 textcolor rgb 'black'
unset border
plot $d1 matrix with image
set title 'filter 2' offset 0,-0.6 textcolor rgb 'black'
unset border
plot $d2 matrix with image
set title 'filter 3' offset 0,-0.6 textcolor rgb 'black'
unset border
plot $d3 matrix with image
unset multiplot
unset output
